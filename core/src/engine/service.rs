//! The engine as an async service: one task owns the engine, takes commands from a channel
//! and sleeps on the clock port until the next timer. Dropping the handle stops it.

use serde_json::Value;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use std::sync::Arc;

use super::{Engine, EngineError, Outcome, PlatformEvent, ReplyRequest};
use crate::oplog::op::{Op, Role};
use crate::ports::ChatModel;
use crate::store::ConversationId;
use crate::store::{ApplyReport, Source};

/// How long the engine must be idle before it checkpoints the store.
const IDLE_CHECKPOINT: std::time::Duration = std::time::Duration::from_secs(1);

enum Command {
    Event(
        PlatformEvent,
        oneshot::Sender<Result<Vec<Outcome>, EngineError>>,
    ),
    Reply(
        ReplyRequest,
        oneshot::Sender<Result<Vec<Outcome>, EngineError>>,
    ),
    Settings(Value, oneshot::Sender<Result<(), EngineError>>),
    Apply(RemoteOps, oneshot::Sender<Result<ApplyReport, EngineError>>),
    With(Box<dyn FnOnce(&mut Engine) + Send>),
    Answered(u64, ConversationId, Result<String, String>),
}

/// The model that talks to the OpenAI-compatible endpoint each job names (in a build
/// without the network client, one that says so).
pub fn http_model() -> Arc<dyn ChatModel> {
    #[cfg(feature = "transport")]
    {
        Arc::new(crate::assistant::endpoint::HttpChatModel)
    }
    #[cfg(not(feature = "transport"))]
    {
        crate::ports::memory::ScriptedModel::new(|_| {
            Err("this build has no network client for the assistant.".to_string())
        })
    }
}

/// Ops received from a peer.
struct RemoteOps {
    ops: Vec<Op>,
    origin: String,
    role: Role,
}

/// The engine service has stopped (its task ended).
#[derive(Debug, thiserror::Error)]
#[error("the Ringback engine has stopped; restart the app")]
pub struct Stopped;

/// A running engine. Cloning shares it; when the last clone is dropped the task ends.
#[derive(Clone)]
pub struct EngineHandle {
    commands: mpsc::Sender<Command>,
    outcomes: broadcast::Sender<Outcome>,
    committed: tokio::sync::watch::Receiver<u64>,
    pairings: tokio::sync::watch::Receiver<u64>,
    photos: tokio::sync::watch::Receiver<u64>,
    /// The phone's health as the platform last reported it (sync sends it to desktops).
    health: Arc<tokio::sync::watch::Sender<Option<crate::health::PhoneHealth>>>,
}

/// The task's join handle, to wait for it to end (and get the engine back).
pub type EngineTask = JoinHandle<Engine>;

/// Starts the service on the current tokio runtime; the assistant asks its endpoint over
/// HTTP.
pub fn spawn(engine: Engine) -> (EngineHandle, EngineTask) {
    spawn_with_model(engine, http_model())
}

/// Starts the service with the assistant's questions answered by `model` (scripted in
/// tests).
pub fn spawn_with_model(engine: Engine, model: Arc<dyn ChatModel>) -> (EngineHandle, EngineTask) {
    let (commands, rx) = mpsc::channel(256);
    let (outcomes, _) = broadcast::channel(1024);
    let committed = engine.store().subscribe();
    let pairings = engine.store().subscribe_pairings();
    let photos = engine.store().subscribe_photos();
    let answers = commands.downgrade();
    let task = tokio::spawn(run(engine, rx, outcomes.clone(), model, answers));
    (
        EngineHandle {
            commands,
            outcomes,
            committed,
            pairings,
            photos,
            health: Arc::new(tokio::sync::watch::channel(None).0),
        },
        task,
    )
}

impl EngineHandle {
    /// Every outcome from now on, as it happens (timers included).
    pub fn subscribe(&self) -> broadcast::Receiver<Outcome> {
        self.outcomes.subscribe()
    }

    /// Hands the engine a platform event; returns what it did right away.
    pub async fn event(
        &self,
        event: PlatformEvent,
    ) -> Result<Result<Vec<Outcome>, EngineError>, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Event(event, tx))
            .await
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Asks the engine to send a desktop reply.
    pub async fn reply(
        &self,
        request: ReplyRequest,
    ) -> Result<Result<Vec<Outcome>, EngineError>, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Reply(request, tx))
            .await
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Takes the phone's health as the platform gathered it (cut to its bounds); returns
    /// whether it differs from the last (only a change is sent to the desktops).
    pub fn report_health(&self, health: crate::health::PhoneHealth) -> bool {
        let health = health.bounded();
        self.health.send_if_modified(|kept| {
            if kept.as_ref().is_some_and(|k| k.same_as(&health)) {
                return false;
            }
            *kept = Some(health);
            true
        })
    }

    /// The phone's health as last reported, as it changes.
    pub fn health(&self) -> tokio::sync::watch::Receiver<Option<crate::health::PhoneHealth>> {
        self.health.subscribe()
    }

    /// A receiver that changes after every commit that added ops.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.committed.clone()
    }

    /// A receiver that changes after every commit that paired or unpaired a device.
    pub fn pairings(&self) -> tokio::sync::watch::Receiver<u64> {
        self.pairings.clone()
    }

    /// A receiver that changes after every commit that added or changed attachments.
    pub fn photos(&self) -> tokio::sync::watch::Receiver<u64> {
        self.photos.clone()
    }

    /// Applies ops from a peer (see [`Engine::apply_remote`]); outcomes are published.
    pub async fn apply_remote(
        &self,
        ops: Vec<Op>,
        origin: String,
        role: Role,
    ) -> Result<Result<ApplyReport, EngineError>, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Apply(RemoteOps { ops, origin, role }, tx))
            .await
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Runs `f` on the engine's task, between commands (reads, pairing records).
    pub async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Engine) -> T + Send + 'static,
    ) -> Result<T, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::With(Box::new(move |engine| {
                let _ = tx.send(f(engine));
            })))
            .await
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Changes the settings (a partial document, merged).
    pub async fn update_settings(&self, patch: Value) -> Result<Result<(), EngineError>, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Settings(patch, tx))
            .await
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }
}

/// Asks the model each job's question on its own task, bounded by the job's timeout; the
/// answer comes back through the command channel, so nothing waits for it.
fn ask(engine: &mut Engine, model: &Arc<dyn ChatModel>, answers: &mpsc::WeakSender<Command>) {
    for job in engine.take_assistant_jobs() {
        let asked = model.ask(&job);
        let answers = answers.clone();
        tokio::spawn(async move {
            let (id, conversation, limit) = (job.id, job.conversation, job.timeout);
            let answer = match tokio::time::timeout(limit, asked).await {
                Ok(answer) => answer,
                Err(_) => Err(format!(
                    "The assistant's server did not answer within {} s.",
                    limit.as_secs()
                )),
            };
            // The engine may have stopped meanwhile; then there is no one to tell.
            if let Some(answers) = answers.upgrade() {
                let _ = answers
                    .send(Command::Answered(id, conversation, answer))
                    .await;
            }
        });
    }
}

async fn run(
    mut engine: Engine,
    mut rx: mpsc::Receiver<Command>,
    outcomes: broadcast::Sender<Outcome>,
    model: Arc<dyn ChatModel>,
    answers: mpsc::WeakSender<Command>,
) -> Engine {
    let clock = engine.ports.clock.clone();
    let publish = |list: &[Outcome]| {
        for o in list {
            // No subscriber is fine: the store has it all.
            let _ = outcomes.send(o.clone());
        }
    };
    // Replies that arrived just before the phone stopped are sent now, once.
    match engine.process_requests() {
        Ok(list) => publish(&list),
        Err(error) => tracing::error!(%error, "could not act on waiting replies"),
    }
    let mut dirty = false;
    loop {
        let wake = match engine.next_wake() {
            Ok(wake) => wake,
            Err(error) => {
                tracing::error!(%error, "could not read the outbox");
                None
            }
        };
        let sleep = async {
            match wake {
                Some(at) => clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        // A quiet second is when the write-ahead log is folded into the database.
        let idle = tokio::time::sleep(IDLE_CHECKPOINT);
        tokio::select! {
            command = rx.recv() => {
                let Some(command) = command else { break };
                dirty = true;
                match command {
                    Command::Event(event, reply) => {
                        let result = engine.handle(event);
                        if let Ok(list) = &result { publish(list) }
                        let _ = reply.send(result);
                    }
                    Command::Reply(request, reply) => {
                        let result = engine.reply(request);
                        if let Ok(list) = &result { publish(list) }
                        let _ = reply.send(result);
                    }
                    Command::Settings(patch, reply) => {
                        let _ = reply.send(engine.update_settings(&patch));
                    }
                    Command::Apply(remote, reply) => {
                        let source = Source { origin: &remote.origin, role: remote.role };
                        let result = engine.apply_remote(&remote.ops, source);
                        let result = result.map(|(report, list)| {
                            publish(&list);
                            report
                        });
                        let _ = reply.send(result);
                    }
                    Command::With(f) => f(&mut engine),
                    Command::Answered(id, conversation, answer) => {
                        match engine.assistant_answered(id, conversation, answer) {
                            Ok(list) => publish(&list),
                            Err(error) => tracing::error!(%error, "could not act on the assistant's answer"),
                        }
                    }
                }
                ask(&mut engine, &model, &answers);
            }
            () = idle, if dirty => {
                dirty = false;
                if let Err(error) = engine.store().checkpoint() {
                    tracing::warn!(%error, "checkpoint failed; SQLite will retry on its own");
                }
            }
            () = sleep => {
                dirty = true;
                match engine.run_due() {
                    Ok(list) => publish(&list),
                    Err(error) => tracing::error!(%error, "could not send due texts"),
                }
            }
        }
    }
    engine
}
