//! Token lifetimes written as `30m`, `8h`, `7d` or `1h30m`.

use std::time::Duration;

/// Longest lifetime `xietong token issue` signs: one year.
pub const MAX_TTL: Duration = Duration::from_secs(366 * 24 * 3600);

/// [`MAX_TTL`] as people write it (and as `--jwt-max-lifetime` shows its default).
pub const MAX_TTL_TEXT: &str = "366d";

/// Parses a lifetime: one or more `<number><unit>` with units `s`, `m`, `h`,
/// `d`, `w` (`90s`, `30m`, `8h`, `7d`, `1h30m`). Zero and more than
/// [`MAX_TTL`] are refused.
///
/// # Errors
/// A message saying what is accepted.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let invalid = || format!("`{text}` is not a lifetime such as 30m, 8h or 7d");
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(invalid()),
        };
        let n: u64 = digits.parse().map_err(|_| invalid())?;
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(invalid)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(invalid());
    }
    let ttl = Duration::from_secs(total);
    if ttl > MAX_TTL {
        return Err(format!("`{text}` is longer than the longest lifetime, {MAX_TTL_TEXT}"));
    }
    Ok(ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_parse() {
        let cases = [("90s", 90), ("30m", 1800), ("8h", 28_800), ("7d", 604_800), ("1h30m", 5400), ("2w", 1_209_600)];
        for (text, secs) in cases {
            assert_eq!(parse_ttl(text), Ok(Duration::from_secs(secs)), "{text}");
        }
        for bad in ["", "8", "h", "0h", "8x", "-1h", "1.5h", "400d", "99999999999999999999h"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_ttl(MAX_TTL_TEXT), Ok(MAX_TTL));
    }
}
