//! A bound on the raw query text, checked before the parser sees it.
//!
//! The parser's work grows with the number of tokens, and its recursion with
//! the nesting of brackets (selection sets, arguments, lists and input
//! objects). This scan counts both in one pass over the bytes, without
//! allocating, and stops at the first limit passed. It follows the lexical
//! grammar only as far as counting needs: strings, block strings and
//! comments are skipped whole (brackets inside them do not count); a name or
//! number is one token; each punctuator is one token; commas and white space
//! are ignored, as the spec ignores them. Text the scan does not understand
//! counts one token a byte and is left for the parser to reject.

/// Why the text was refused before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRefusal {
    /// More tokens than the limit (the scan stopped counting there).
    Tokens { limit: usize },
    /// Brackets nested deeper than the limit.
    Nesting { limit: usize },
}

/// Counts tokens and bracket nesting in `text`; `Err` as soon as either
/// passes its limit. Linear in the length of `text`.
pub fn check(text: &str, max_tokens: usize, max_nesting: usize) -> Result<(), TextRefusal> {
    let bytes = text.as_bytes();
    let (mut i, mut tokens, mut nesting) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => i = skip_block_string(bytes, i + 3),
            b'"' => i = skip_string(bytes, i + 1),
            b'{' | b'[' | b'(' => {
                nesting += 1;
                if nesting > max_nesting {
                    return Err(TextRefusal::Nesting { limit: max_nesting });
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                nesting = nesting.saturating_sub(1);
                i += 1;
            }
            b'.' => {
                // `...` is one token; a stray dot is one too.
                i += if bytes[i..].starts_with(b"...") { 3 } else { 1 };
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        tokens += 1;
        if tokens > max_tokens {
            return Err(TextRefusal::Tokens { limit: max_tokens });
        }
    }
    Ok(())
}

/// The index after the string that starts before `i` (its opening quote
/// already consumed): after the closing quote, or at the line end or the end
/// of the text for an unterminated string (the parser reports those).
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index after the block string whose opening `"""` ends before `i`
/// (`\"""` inside it is an escaped delimiter).
fn skip_block_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return i + 3;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> usize {
        (0..).find(|&n| check(text, n, usize::MAX).is_ok()).unwrap_or(usize::MAX)
    }

    #[test]
    fn counts_the_tokens_the_parser_would_see() {
        assert_eq!(tokens("{ viewer { role } }"), 6);
        assert_eq!(tokens("query Q($n: Int = -1.5e+3) { a(x: $n, y: \"{[(\") ...F }"), 24);
        assert_eq!(tokens("# a comment { [ (\n{ a }"), 3);
        assert_eq!(tokens("{ a(x: \"\"\" block \\\"\"\" { \"\"\") }"), 8);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_nest() {
        assert_eq!(check("{ a(x: \"[[[[[[\") } # ((((((", 100, 3), Ok(()));
        assert_eq!(check("{ a(x: [[[1]]]) }", 100, 4), Err(TextRefusal::Nesting { limit: 4 }));
        assert_eq!(check(&"[".repeat(1_000_000), usize::MAX, 64), Err(TextRefusal::Nesting { limit: 64 }));
    }

    #[test]
    fn stops_at_the_token_limit() {
        assert_eq!(check(&"a ".repeat(1_000_000), 10, 64), Err(TextRefusal::Tokens { limit: 10 }));
        assert_eq!(check("\"unterminated", 1, 64), Ok(()));
    }
}
