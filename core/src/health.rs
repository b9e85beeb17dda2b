// Over 600 lines, one concept: the phone's health record, its bounds, and each problem with
// its words and fix (the checklist and the alerts read them from here).
//! The phone's health: what it needs to keep texting back (permissions, the battery
//! exemption, its foreground service, signal per SIM, …) as one record the phone reports
//! when it changes and every desktop keeps the last of. Its problems are typed and worded
//! once here, so that the phone's notification, the desktop's Devices screen and its alerts
//! all say the same thing.
//!
//! The record comes from a peer: [`PhoneHealth::check`] bounds every count and length before
//! a desktop keeps it, and [`PhoneHealth::bounded`] cuts a record the phone gathered to the
//! same bounds before it leaves.

use serde::{Deserialize, Serialize};

/// The most SIMs a record lists (phones have two slots, a few have eSIMs beside them).
pub const MAX_SIMS: usize = 4;

/// The longest free-text field (an app version, a carrier's name, a package name, the
/// maker's autostart hint, a failure's words), in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// A runtime permission Ringback asks for (the manifest's list; each is explained in the
/// phone's onboarding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// `READ_CALL_LOG`: seeing missed calls.
    ReadCallLog,
    /// `READ_PHONE_STATE`: noticing that a call ended, and which SIM it came in on.
    ReadPhoneState,
    /// `SEND_SMS`: sending texts.
    SendSms,
    /// `RECEIVE_SMS`: seeing replies as they arrive.
    ReceiveSms,
    /// `READ_SMS`: reading replies that arrived while the app was stopped.
    ReadSms,
    /// `READ_CONTACTS`: knowing which callers are contacts.
    ReadContacts,
    /// `POST_NOTIFICATIONS`: showing the phone's status notification.
    PostNotifications,
}

impl Permission {
    /// Every permission, in the order the phone asks for them.
    pub const ALL: [Permission; 7] = [
        Permission::ReadCallLog,
        Permission::ReadPhoneState,
        Permission::SendSms,
        Permission::ReceiveSms,
        Permission::ReadSms,
        Permission::ReadContacts,
        Permission::PostNotifications,
    ];

    /// The serialized name (`read_call_log`…), as the simulated phone's commands spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadCallLog => "read_call_log",
            Permission::ReadPhoneState => "read_phone_state",
            Permission::SendSms => "send_sms",
            Permission::ReceiveSms => "receive_sms",
            Permission::ReadSms => "read_sms",
            Permission::ReadContacts => "read_contacts",
            Permission::PostNotifications => "post_notifications",
        }
    }

    /// Parses a serialized name.
    pub fn from_name(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Android's name for it (`android.permission.READ_CALL_LOG`).
    pub fn android_name(self) -> &'static str {
        match self {
            Permission::ReadCallLog => "android.permission.READ_CALL_LOG",
            Permission::ReadPhoneState => "android.permission.READ_PHONE_STATE",
            Permission::SendSms => "android.permission.SEND_SMS",
            Permission::ReceiveSms => "android.permission.RECEIVE_SMS",
            Permission::ReadSms => "android.permission.READ_SMS",
            Permission::ReadContacts => "android.permission.READ_CONTACTS",
            Permission::PostNotifications => "android.permission.POST_NOTIFICATIONS",
        }
    }

    /// The name Android's permission screen shows for it.
    pub fn label(self) -> &'static str {
        match self {
            Permission::ReadCallLog => "Call logs",
            Permission::ReadPhoneState => "Phone",
            Permission::SendSms | Permission::ReceiveSms | Permission::ReadSms => "SMS",
            Permission::ReadContacts => "Contacts",
            Permission::PostNotifications => "Notifications",
        }
    }

    /// What stops working without it.
    pub fn without(self) -> &'static str {
        match self {
            Permission::ReadCallLog => "it cannot see missed calls, so no caller is texted back",
            Permission::ReadPhoneState => {
                "it does not notice when a call ends, so callers are texted back late or not at all"
            }
            Permission::SendSms => "it cannot send texts",
            Permission::ReceiveSms => "replies from callers do not reach the inbox",
            Permission::ReadSms => "replies that arrived while it was stopped are not seen",
            Permission::ReadContacts => {
                "it cannot tell contacts from strangers, so the audience setting is not applied"
            }
            Permission::PostNotifications => "its status notification is hidden",
        }
    }
}

/// A permission and whether it is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PermissionState {
    /// Which.
    pub permission: Permission,
    /// Whether Android grants it now.
    pub granted: bool,
}

/// A SIM's network service (Android's `ServiceState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Registered on a network: texts can go.
    InService,
    /// No network found.
    OutOfService,
    /// Emergency calls only.
    EmergencyOnly,
    /// The radio is off (airplane mode, or the SIM switched off).
    PowerOff,
    /// Not known (no permission to read it, or not reported yet).
    Unknown,
}

/// One SIM's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SimHealth {
    /// The line, as calls and texts name it (`sim1`).
    pub line: String,
    /// The carrier's name, as the phone shows it.
    pub carrier: String,
    /// Its network service.
    pub service: ServiceState,
    /// Signal strength, 0 (none) to 4 (full); `None` when not known.
    pub signal_level: Option<u8>,
}

/// How the last text the phone sent went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum TextResult {
    /// The network took it.
    Sent,
    /// The recipient's phone got it.
    Delivered,
    /// It failed.
    Failed,
}

/// The last text the phone sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LastText {
    /// When, UTC milliseconds.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    /// How it went.
    pub result: TextResult,
    /// Why it failed, in words (never the text or the number).
    pub failure: Option<String>,
}

/// The phone's health, as it reported it. Last writer wins: a desktop keeps only the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhoneHealth {
    /// When the phone gathered it, UTC milliseconds (its clock).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    /// Ringback's version on the phone.
    pub app_version: String,
    /// Each permission Ringback asks for, granted or not.
    pub permissions: Vec<PermissionState>,
    /// Whether Android exempts Ringback from battery optimisation (`None`: not known).
    pub battery_exempt: Option<bool>,
    /// Where this phone's maker hides its "autostart" switch, for makers whose battery
    /// saver kills apps regardless (`None` for makers that do not).
    pub autostart_hint: Option<String>,
    /// Whether the foreground service that keeps Ringback alive is running.
    pub service_running: bool,
    /// Each active SIM.
    pub sims: Vec<SimHealth>,
    /// Whether airplane mode is on.
    pub airplane_mode: bool,
    /// The package of the default SMS app (`None`: not known).
    pub default_sms_app: Option<String>,
    /// Whether that app's chat (RCS) features are likely on: texts from other phones with
    /// chat on then arrive as chats, which Ringback never sees.
    pub chat_features_likely: bool,
    /// When the phone last read the call log, UTC milliseconds.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub last_call_log_read_ms: Option<i64>,
    /// The last text sent and how it went.
    pub last_text: Option<LastText>,
}

/// A health record as a desktop keeps it: what the phone reported, and when it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportedHealth {
    /// What the phone reported.
    pub health: PhoneHealth,
    /// When it arrived, UTC milliseconds (the desktop's clock).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub reported_at_ms: i64,
}

/// Why a reported health record was refused (nothing was kept).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthError {
    /// Too many SIMs.
    #[error("the phone's health lists {0} SIMs; at most {MAX_SIMS} are kept, so it was refused")]
    TooManySims(usize),
    /// A permission listed twice.
    #[error("the phone's health lists the permission {0} twice, so it was refused")]
    DuplicatePermission(&'static str),
    /// A text field too long.
    #[error(
        "the phone's health has a {field} of {chars} characters; at most {MAX_FIELD_CHARS} are kept, so it was refused"
    )]
    TooLong {
        /// Which field.
        field: &'static str,
        /// How long it was.
        chars: usize,
    },
    /// A signal level out of range.
    #[error(
        "the phone's health gives a signal level of {0}; levels run from 0 to 4, so it was refused"
    )]
    BadSignal(u8),
}

fn check_len(field: &'static str, value: &str) -> Result<(), HealthError> {
    let chars = value.chars().count();
    if chars > MAX_FIELD_CHARS {
        return Err(HealthError::TooLong { field, chars });
    }
    Ok(())
}

fn cut(value: &mut String) {
    if let Some((at, _)) = value.char_indices().nth(MAX_FIELD_CHARS) {
        value.truncate(at);
    }
}

impl PhoneHealth {
    /// A record with every permission granted, the service running, and nothing else known:
    /// the start of a record the platform fills in.
    pub fn new(at_ms: i64, app_version: &str) -> PhoneHealth {
        PhoneHealth {
            at_ms,
            app_version: app_version.to_string(),
            permissions: Permission::ALL
                .into_iter()
                .map(|permission| PermissionState {
                    permission,
                    granted: true,
                })
                .collect(),
            battery_exempt: None,
            autostart_hint: None,
            service_running: true,
            sims: Vec::new(),
            airplane_mode: false,
            default_sms_app: None,
            chat_features_likely: false,
            last_call_log_read_ms: None,
            last_text: None,
        }
    }

    /// Checks the bounds a desktop holds a peer's record to.
    pub fn check(&self) -> Result<(), HealthError> {
        if self.sims.len() > MAX_SIMS {
            return Err(HealthError::TooManySims(self.sims.len()));
        }
        let mut seen = Vec::with_capacity(self.permissions.len());
        for p in &self.permissions {
            if seen.contains(&p.permission) {
                return Err(HealthError::DuplicatePermission(p.permission.as_str()));
            }
            seen.push(p.permission);
        }
        check_len("app version", &self.app_version)?;
        if let Some(h) = &self.autostart_hint {
            check_len("autostart hint", h)?;
        }
        if let Some(a) = &self.default_sms_app {
            check_len("default SMS app", a)?;
        }
        for sim in &self.sims {
            check_len("line", &sim.line)?;
            check_len("carrier name", &sim.carrier)?;
            if let Some(level) = sim.signal_level.filter(|l| *l > 4) {
                return Err(HealthError::BadSignal(level));
            }
        }
        if let Some(f) = self.last_text.as_ref().and_then(|t| t.failure.as_ref()) {
            check_len("failure", f)?;
        }
        Ok(())
    }

    /// The record cut to the bounds of [`PhoneHealth::check`] (what the phone sends: a
    /// platform that reports more than expected loses the excess, not the whole record).
    pub fn bounded(mut self) -> PhoneHealth {
        self.sims.truncate(MAX_SIMS);
        let mut seen = Vec::new();
        self.permissions.retain(|p| {
            let first = !seen.contains(&p.permission);
            seen.push(p.permission);
            first
        });
        cut(&mut self.app_version);
        for s in [&mut self.autostart_hint, &mut self.default_sms_app]
            .into_iter()
            .flatten()
        {
            cut(s);
        }
        for sim in &mut self.sims {
            cut(&mut sim.line);
            cut(&mut sim.carrier);
            sim.signal_level = sim.signal_level.map(|l| l.min(4));
        }
        if let Some(f) = self.last_text.as_mut().and_then(|t| t.failure.as_mut()) {
            cut(f);
        }
        self
    }

    /// Whether `permission` is granted (a permission the record does not list is taken as
    /// granted: an older phone that did not report it).
    pub fn granted(&self, permission: Permission) -> bool {
        self.permissions
            .iter()
            .find(|p| p.permission == permission)
            .is_none_or(|p| p.granted)
    }

    /// Sets whether `permission` is granted.
    pub fn set_granted(&mut self, permission: Permission, granted: bool) {
        match self
            .permissions
            .iter_mut()
            .find(|p| p.permission == permission)
        {
            Some(p) => p.granted = granted,
            None => self.permissions.push(PermissionState {
                permission,
                granted,
            }),
        }
    }

    /// Whether the two records say the same, gathering time aside (the phone reports only
    /// a change).
    pub fn same_as(&self, other: &PhoneHealth) -> bool {
        PhoneHealth {
            at_ms: other.at_ms,
            ..self.clone()
        } == *other
    }

    /// What stands between this phone and texting back, most serious first.
    pub fn problems(&self) -> Vec<HealthProblem> {
        let mut out = Vec::new();
        if !self.service_running {
            out.push(HealthProblem::ServiceStopped);
        }
        for p in Permission::ALL {
            if !self.granted(p) {
                out.push(HealthProblem::PermissionMissing(p));
            }
        }
        if self.airplane_mode {
            out.push(HealthProblem::AirplaneMode);
        } else {
            for sim in &self.sims {
                if matches!(
                    sim.service,
                    ServiceState::OutOfService | ServiceState::EmergencyOnly
                ) {
                    out.push(HealthProblem::NoService {
                        line: sim.line.clone(),
                    });
                }
            }
        }
        if self.battery_exempt == Some(false) {
            out.push(HealthProblem::BatteryOptimized);
        }
        if let Some(t) = &self.last_text
            && t.result == TextResult::Failed
        {
            out.push(HealthProblem::LastTextFailed {
                reason: t.failure.clone(),
            });
        }
        if self.chat_features_likely {
            out.push(HealthProblem::ChatFeatures {
                app: self.default_sms_app.clone(),
            });
        }
        out
    }

    /// The Devices checklist: every check, passed or not, with a fix for each that failed.
    pub fn checklist(&self) -> Vec<CheckItem> {
        let problems = self.problems();
        let item = |label: String, problem: Option<&HealthProblem>| CheckItem {
            label,
            state: if problem.is_some() {
                CheckState::Problem
            } else {
                CheckState::Ok
            },
            detail: problem.map(HealthProblem::describe),
            fix: problem.map(HealthProblem::fix),
        };
        let find = |p: &HealthProblem| problems.iter().find(|q| *q == p);
        let mut out = vec![item(
            "Ringback's service is running".into(),
            find(&HealthProblem::ServiceStopped),
        )];
        for p in Permission::ALL {
            out.push(item(
                format!("Permission: {} ({})", p.label(), p.as_str()),
                find(&HealthProblem::PermissionMissing(p)),
            ));
        }
        out.push(match self.battery_exempt {
            None => CheckItem {
                label: "Battery optimisation is off for Ringback".into(),
                state: CheckState::Unknown,
                detail: Some("the phone has not said".into()),
                fix: None,
            },
            Some(_) => item(
                "Battery optimisation is off for Ringback".into(),
                find(&HealthProblem::BatteryOptimized),
            ),
        });
        if let Some(hint) = &self.autostart_hint {
            out.push(CheckItem {
                label: "The maker's autostart setting allows Ringback".into(),
                state: CheckState::Advice,
                detail: Some(
                    "this phone's maker stops apps in the background unless they are allowed to autostart; Android cannot tell whether Ringback is"
                        .into(),
                ),
                fix: Some(hint.clone()),
            });
        }
        out.push(item(
            "Airplane mode is off".into(),
            find(&HealthProblem::AirplaneMode),
        ));
        for sim in &self.sims {
            out.push(item(
                format!("{} ({}) has service", sim.line, sim.carrier),
                find(&HealthProblem::NoService {
                    line: sim.line.clone(),
                }),
            ));
        }
        out.push(item(
            "Replies arrive as texts, not chats".into(),
            find(&HealthProblem::ChatFeatures {
                app: self.default_sms_app.clone(),
            }),
        ));
        if let Some(t) = &self.last_text {
            out.push(item(
                "The last text went out".into(),
                find(&HealthProblem::LastTextFailed {
                    reason: t.failure.clone(),
                }),
            ));
        }
        out
    }
}

/// Whether a check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// Passed.
    Ok,
    /// Failed: see the fix.
    Problem,
    /// Cannot be checked from the phone: the words say what to do once.
    Advice,
    /// Not reported.
    Unknown,
}

/// One line of the Devices checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckItem {
    /// What is checked.
    pub label: String,
    /// How it stands.
    pub state: CheckState,
    /// What is wrong, in words.
    pub detail: Option<String>,
    /// How to fix it, in words.
    pub fix: Option<String>,
}

/// Something that stops (or may stop) the phone from texting back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum HealthProblem {
    /// The foreground service is not running.
    ServiceStopped,
    /// A permission was refused or revoked (Android's auto-reset revokes them from apps
    /// it thinks unused).
    PermissionMissing(Permission),
    /// Airplane mode is on.
    AirplaneMode,
    /// A SIM has no network service.
    NoService {
        /// Which line.
        line: String,
    },
    /// Android may stop Ringback to save battery.
    BatteryOptimized,
    /// The last text failed.
    LastTextFailed {
        /// Why, in words, when the phone said.
        reason: Option<String>,
    },
    /// The default SMS app's chat features are likely on.
    ChatFeatures {
        /// Its package.
        app: Option<String>,
    },
}

impl HealthProblem {
    /// A stable key, so that an alert for it is raised once and cleared when it is gone.
    pub fn key(&self) -> String {
        match self {
            HealthProblem::ServiceStopped => "service_stopped".into(),
            HealthProblem::PermissionMissing(p) => format!("permission_missing:{}", p.as_str()),
            HealthProblem::AirplaneMode => "airplane_mode".into(),
            HealthProblem::NoService { line } => format!("no_service:{line}"),
            HealthProblem::BatteryOptimized => "battery_optimized".into(),
            HealthProblem::LastTextFailed { .. } => "last_text_failed".into(),
            HealthProblem::ChatFeatures { .. } => "chat_features".into(),
        }
    }

    /// Whether it stops texting back now (an alert), rather than risking it (a checklist
    /// item only).
    pub fn stops_texting(&self) -> bool {
        matches!(
            self,
            HealthProblem::ServiceStopped
                | HealthProblem::PermissionMissing(_)
                | HealthProblem::AirplaneMode
                | HealthProblem::NoService { .. }
        )
    }

    /// What is wrong, in words for the owner: the phone's notification, the desktop's
    /// checklist and its alerts all say it so.
    pub fn describe(&self) -> String {
        match self {
            HealthProblem::ServiceStopped => {
                "Ringback's service is not running on the phone, so missed calls are not texted back"
                    .into()
            }
            HealthProblem::PermissionMissing(p) => format!(
                "Ringback lost the {} permission ({}): {}",
                p.label(),
                p.as_str(),
                p.without()
            ),
            HealthProblem::AirplaneMode => {
                "the phone is in airplane mode, so no text can go out".into()
            }
            HealthProblem::NoService { line } => {
                format!("{line} has no mobile service, so texts on it cannot go out")
            }
            HealthProblem::BatteryOptimized => {
                "Android may stop Ringback to save battery, and then missed calls are not texted back"
                    .into()
            }
            HealthProblem::LastTextFailed { reason: Some(r) } => {
                format!("the last text the phone sent failed: {r}")
            }
            HealthProblem::LastTextFailed { reason: None } => {
                "the last text the phone sent failed".into()
            }
            HealthProblem::ChatFeatures { .. } => {
                "chat features are likely on in the phone's messaging app, so replies from people who use chat may never reach Ringback"
                    .into()
            }
        }
    }

    /// How to fix it, in words.
    pub fn fix(&self) -> String {
        match self {
            HealthProblem::ServiceStopped => {
                "Open Ringback on the phone once; it starts its service again.".into()
            }
            HealthProblem::PermissionMissing(p) => format!(
                "On the phone, open Settings → Apps → Ringback → Permissions → {} and allow it; there, also turn off \"Pause app activity if unused\" so Android does not take it away again.",
                p.label()
            ),
            HealthProblem::AirplaneMode => {
                "Turn airplane mode off in the phone's quick settings.".into()
            }
            HealthProblem::NoService { .. } => {
                "Check that the SIM has credit and the phone has signal; move it somewhere with coverage or restart it."
                    .into()
            }
            HealthProblem::BatteryOptimized => {
                "On the phone, open Settings → Apps → Ringback → Battery and choose Unrestricted (or \"Don't optimise\")."
                    .into()
            }
            HealthProblem::LastTextFailed { .. } => {
                "Check the SIM's credit and signal; the failed text shows in its conversation with the reason."
                    .into()
            }
            HealthProblem::ChatFeatures { .. } => {
                "In the phone's messaging app, open Settings → Chat features (RCS) and turn them off.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests;
