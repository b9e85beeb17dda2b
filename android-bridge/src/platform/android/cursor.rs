//! Content-provider queries: `ContentResolver.query` and a walk over the `Cursor`, which is
//! closed on every path (rows read, a row that failed, a limit reached).

use jni::objects::JObject;
use jni::{Env, JValue, jni_sig, jni_str};

use super::java::{self, JavaFailure, call, call_object};

/// Local references one row may hold (strings, boxed values); each row gets its own frame.
const ROW_FRAME: usize = 16;

/// What to ask a provider.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query<'q> {
    /// The columns, in order; [`Row`] getters take an index into this.
    pub projection: &'q [&'q str],
    /// `_id > ?` with its argument, or everything.
    pub after_id: Option<i64>,
    /// `ORDER BY`, e.g. `_id ASC`.
    pub sort_order: Option<&'q str>,
    /// Stop after this many rows.
    pub limit: Option<usize>,
}

impl<'q> Query<'q> {
    /// The rows with `_id` above `after` (all when `None`), in `_id` order: how the call
    /// log and the SMS provider are read since a cursor.
    pub(crate) fn since(projection: &'q [&'q str], after: Option<i64>) -> Query<'q> {
        Query {
            projection,
            after_id: after,
            sort_order: Some("_id ASC"),
            limit: None,
        }
    }
}

/// The current row of a cursor, read column by column.
pub(crate) struct Row<'c, 'o> {
    cursor: &'c JObject<'o>,
    /// `Cursor.getColumnIndex` of each projected column; -1 when the provider lacks it.
    columns: &'c [i32],
}

impl Row<'_, '_> {
    /// The cursor's index of projected column `column`, or `None` when the provider lacks it
    /// or the value is null (`Cursor.isNull`, API 1).
    fn present(&self, env: &mut Env<'_>, column: usize) -> Result<Option<i32>, JavaFailure> {
        let Some(&index) = self.columns.get(column).filter(|&&index| index >= 0) else {
            return Ok(None);
        };
        let null = call(
            env,
            self.cursor,
            jni_str!("isNull"),
            &jni_sig!((column: jint) -> jboolean),
            &[JValue::Int(index)],
        )?
        .z()?;
        Ok((!null).then_some(index))
    }

    /// `Cursor.getLong` (API 1); `None` for null or a missing column.
    pub(crate) fn long(
        &self,
        env: &mut Env<'_>,
        column: usize,
    ) -> Result<Option<i64>, JavaFailure> {
        let Some(index) = self.present(env, column)? else {
            return Ok(None);
        };
        let value = call(
            env,
            self.cursor,
            jni_str!("getLong"),
            &jni_sig!((column: jint) -> jlong),
            &[JValue::Int(index)],
        )?;
        Ok(Some(value.j()?))
    }

    /// `Cursor.getInt` (API 1); `None` for null or a missing column.
    pub(crate) fn int(&self, env: &mut Env<'_>, column: usize) -> Result<Option<i32>, JavaFailure> {
        let Some(index) = self.present(env, column)? else {
            return Ok(None);
        };
        let value = call(
            env,
            self.cursor,
            jni_str!("getInt"),
            &jni_sig!((column: jint) -> jint),
            &[JValue::Int(index)],
        )?;
        Ok(Some(value.i()?))
    }

    /// `Cursor.getString` (API 1); `None` for null or a missing column.
    pub(crate) fn string(
        &self,
        env: &mut Env<'_>,
        column: usize,
    ) -> Result<Option<String>, JavaFailure> {
        let Some(index) = self.present(env, column)? else {
            return Ok(None);
        };
        let value = call_object(
            env,
            self.cursor,
            jni_str!("getString"),
            &jni_sig!((column: jint) -> java.lang.String),
            &[JValue::Int(index)],
        )?;
        java::to_string(env, value)
    }
}

/// The highest `_id` of the provider at `uri` (`_id DESC`, first row); `Ok(Some(None))` for
/// an empty provider, `Ok(None)` for no such provider.
pub(crate) fn last_id(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    uri: &JObject<'_>,
) -> Result<Option<Option<i64>>, JavaFailure> {
    let last = Query {
        projection: &["_id"],
        after_id: None,
        sort_order: Some("_id DESC"),
        limit: Some(1),
    };
    let rows = query(env, context, uri, &last, |env, row| row.long(env, 0))?;
    Ok(rows.map(|ids| ids.into_iter().next()))
}

/// Queries `uri` through `context.getContentResolver()` (API 1) with
/// `ContentResolver.query(Uri, String[], String, String[], String)` (API 1) and maps each row
/// with `read` (`None` skips the row). `Ok(None)` when the resolver answered null: no such
/// provider.
pub(crate) fn query<T>(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    uri: &JObject<'_>,
    query: &Query<'_>,
    mut read: impl FnMut(&mut Env<'_>, &Row<'_, '_>) -> Result<Option<T>, JavaFailure>,
) -> Result<Option<Vec<T>>, JavaFailure> {
    let resolver = call_object(
        env,
        context,
        jni_str!("getContentResolver"),
        &jni_sig!(() -> android.content.ContentResolver),
        &[],
    )?;
    let projection = java::new_string_array(env, query.projection)?;
    let (selection, selection_args) = match query.after_id {
        Some(after) => (
            java::new_string(env, "_id > ?")?.into(),
            java::new_string_array(env, &[&after.to_string()])?.into(),
        ),
        None => (JObject::null(), JObject::null()),
    };
    let sort_order = match query.sort_order {
        Some(order) => java::new_string(env, order)?.into(),
        None => JObject::null(),
    };
    let cursor = call_object(
        env,
        &resolver,
        jni_str!("query"),
        &jni_sig!(
            (
                uri: android.net.Uri,
                projection: java.lang.String[],
                selection: java.lang.String,
                selection_args: java.lang.String[],
                sort_order: java.lang.String,
            ) -> android.database.Cursor
        ),
        &[
            JValue::from(uri),
            JValue::from(&projection),
            JValue::from(&selection),
            JValue::from(&selection_args),
            JValue::from(&sort_order),
        ],
    )?;
    if cursor.is_null() {
        return Ok(None);
    }
    let rows = read_rows(env, &cursor, query, &mut read);
    // `Cursor.close()` (API 1), whatever happened above.
    let closed = call(env, &cursor, jni_str!("close"), &jni_sig!(() -> void), &[]);
    let rows = rows?;
    if let Err(failure) = closed {
        tracing::debug!("a cursor could not be closed: {failure}");
    }
    Ok(Some(rows))
}

fn read_rows<T>(
    env: &mut Env<'_>,
    cursor: &JObject<'_>,
    query: &Query<'_>,
    read: &mut impl FnMut(&mut Env<'_>, &Row<'_, '_>) -> Result<Option<T>, JavaFailure>,
) -> Result<Vec<T>, JavaFailure> {
    let mut columns = Vec::with_capacity(query.projection.len());
    for name in query.projection {
        let name = java::new_string(env, name)?;
        // `Cursor.getColumnIndex(String)` (API 1): -1 when absent.
        let index = call(
            env,
            cursor,
            jni_str!("getColumnIndex"),
            &jni_sig!((name: java.lang.String) -> jint),
            &[JValue::from(&name)],
        )?
        .i()?;
        env.delete_local_ref(name);
        columns.push(index);
    }
    let mut rows = Vec::new();
    while query.limit.is_none_or(|limit| rows.len() < limit) {
        // `Cursor.moveToNext()` (API 1).
        let more = call(
            env,
            cursor,
            jni_str!("moveToNext"),
            &jni_sig!(() -> jboolean),
            &[],
        )?
        .z()?;
        if !more {
            break;
        }
        let row = Row {
            cursor,
            columns: &columns,
        };
        let item = env.with_local_frame(ROW_FRAME, |env| read(env, &row))?;
        rows.extend(item);
    }
    Ok(rows)
}
