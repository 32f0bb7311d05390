//! Where each quote of the dataset is in its source file.
//!
//! The parsers read cleaned text ([`super::text::clean_line`], corrections
//! applied), so what they quote is cleaned too. Every cleaned character
//! remembers the raw character it was read from ([`Mapped`]); [`Spans`] finds
//! each cleaned quote among the paragraphs its document's reader read and
//! adds the exact span of the raw file: character offsets and the verbatim
//! text, which is what the dataset serves as the quote.

use std::collections::BTreeMap;

use crate::seed::model::Provenance;

use super::ParseError;
use super::text::{Mapped, sentences};

/// The paragraphs each document's reader read, by file name.
#[derive(Debug, Default)]
pub struct Spans {
    files: BTreeMap<String, Read>,
}

/// One file: its raw characters, and the cleaned text read from it (the
/// paragraphs one after another) with the origin of each character.
#[derive(Debug)]
struct Read {
    raw: Vec<char>,
    cleaned: Mapped,
    paragraphs: Vec<String>,
}

impl Spans {
    /// Records that the reader of `file` read `paragraphs` (cleaned from `raw`).
    pub fn read(&mut self, file: &str, raw: &str, paragraphs: &[Mapped]) {
        let mut cleaned = Mapped::default();
        for p in paragraphs {
            cleaned.push(p);
        }
        let paragraphs = paragraphs.iter().map(|p| p.text.clone()).collect();
        self.files.insert(file.to_string(), Read { raw: raw.chars().collect(), cleaned, paragraphs });
    }

    /// The first sentence (cleaned, as [`sentences`] splits) that the reader
    /// of `file` read and that contains `clause`.
    pub fn sentence_with(&self, file: &str, clause: &str) -> Option<String> {
        let read = self.files.get(file)?;
        read.paragraphs
            .iter()
            .flat_map(|p| sentences(p))
            .map(|(_, s)| s.trim())
            .find(|s| s.contains(clause))
            .map(str::to_string)
    }

    /// Sets `quote`, `start` and `end` of `p` from its cleaned quote: the
    /// first place the reader of its file read that text. A provenance with
    /// no cleaned quote is left as it is.
    ///
    /// # Errors
    /// When the file was not read or the text is not in what was read.
    pub fn resolve(&self, p: &mut Provenance) -> Result<(), ParseError> {
        if p.cleaned.is_empty() {
            return Ok(());
        }
        let missing =
            || ParseError::Structure { file: p.file_name.clone(), message: format!("quote not found: {}", p.cleaned) };
        let read = self.files.get(&p.file_name).ok_or_else(missing)?;
        let at = read.cleaned.text.find(&p.cleaned).ok_or_else(missing)?;
        let from = read.cleaned.text[..at].chars().count();
        let origins = read.cleaned.origin.get(from..from + p.cleaned.chars().count()).ok_or_else(missing)?;
        let (Some(&start), Some(&last)) = (origins.iter().min(), origins.iter().max()) else {
            return Err(missing());
        };
        let end = (last + 1).min(read.raw.len());
        p.quote = read.raw[start..end].iter().collect();
        p.start = i32::try_from(start).ok();
        p.end = i32::try_from(end).ok();
        Ok(())
    }
}
