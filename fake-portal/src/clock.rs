//! Wall-clock time as the portal reports it.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The current Unix time in seconds.
pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// The `time` object of a reply to a call that ran from `start` to `finish` (Unix
/// seconds), with the method's operating-time figures when there are any.
pub(crate) fn time_object(start: f64, finish: f64, operating: Option<(f64, i64)>) -> Value {
    let mut time = json!({
        "start": start,
        "finish": finish,
        "duration": finish - start,
        "processing": finish - start,
        "date_start": rfc3339(start),
        "date_finish": rfc3339(finish),
    });
    if let (Some((operating, reset_at)), Value::Object(fields)) = (operating, &mut time) {
        fields.insert("operating".to_owned(), json!(operating));
        fields.insert("operating_reset_at".to_owned(), json!(reset_at));
    }
    time
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SS+00:00`.
pub(crate) fn rfc3339(unix: f64) -> String {
    let seconds = unix.floor() as i64;
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+00:00",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day number counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{rfc3339, time_object};

    #[test]
    fn dates_are_formatted_in_utc() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(1_778_747_192.91), "2026-05-14T08:26:32+00:00");
        assert_eq!(rfc3339(951_782_400.0), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn operating_figures_are_added_when_known() {
        let time = time_object(10.0, 10.5, Some((1.25, 600)));
        assert_eq!(time["duration"], 0.5);
        assert_eq!(time["operating"], 1.25);
        assert_eq!(time["operating_reset_at"], 600);
        assert!(time_object(1.0, 1.0, None).get("operating").is_none());
    }
}
