//! Small helpers: JSON lines with a readable key order, ids and RFC 3339 timestamps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// The version this fake reports everywhere.
pub const VERSION: &str = "9.9.9-fake";

/// Serializes `v` as one JSON line (with the trailing `\n`).
///
/// serde_json's map is sorted; real CLI lines usually start with `type`, so objects are
/// written with `type` and `subtype` first and the other keys in alphabetical order.
pub fn to_line(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(v, &mut out);
    out.push(b'\n');
    out
}

fn write_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| match k.as_str() {
                "type" => 0u8,
                "subtype" => 1,
                _ => 2,
            });
            out.push(b'{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(k.clone()), out);
                out.push(b':');
                write_value(val, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(v: &Value, out: &mut Vec<u8>) {
    // Writing a scalar into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// A new random (v4) UUID, hyphenated.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn hex(n: usize) -> String {
    let s = uuid::Uuid::new_v4().simple().to_string();
    s[..n.min(s.len())].to_owned()
}

/// A Messages API message id, `msg_fake…`.
pub fn msg_id() -> String {
    format!("msg_fake{}", hex(20))
}

/// A tool-use id, `toolu_fake…`.
pub fn tool_use_id() -> String {
    format!("toolu_fake{}", hex(16))
}

/// An API request id, `req_fake0001`, `req_fake0002`, ...
pub fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("req_fake{:04}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Now, as RFC 3339 UTC with milliseconds: `2026-11-22T04:09:42.357Z`.
pub fn timestamp() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_timestamp(d.as_secs() as i64, d.subsec_millis())
}

/// Formats seconds since the Unix epoch plus milliseconds as RFC 3339 UTC.
pub fn format_timestamp(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(0, 0), "1970-01-01T00:00:00.000Z");
        // From the 2.1.330 capture: end_time 1795320582708 next to 04:09:42 timestamps.
        assert_eq!(
            format_timestamp(1_795_320_582, 708),
            "2026-11-22T04:09:42.708Z"
        );
        assert_eq!(format_timestamp(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(
            format_timestamp(4_107_542_399, 999),
            "2100-02-28T23:59:59.999Z"
        );
    }

    #[test]
    fn type_comes_first() {
        let v = serde_json::json!({"a": 1, "subtype": "init", "type": "system", "z": {"type": "x", "b": [1, "é\n"]}});
        let line = String::from_utf8(to_line(&v)).unwrap_or_default();
        assert_eq!(
            line,
            "{\"type\":\"system\",\"subtype\":\"init\",\"a\":1,\"z\":{\"type\":\"x\",\"b\":[1,\"é\\n\"]}}\n"
        );
        let back: Value = serde_json::from_str(&line).unwrap_or_default();
        assert_eq!(back, v);
    }
}
