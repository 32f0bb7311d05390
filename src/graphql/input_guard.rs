//! One check over every string a request carries, before validation.
//!
//! [`check_request`], called by the request pipeline after parsing, refuses a request whose variables, or whose
//! document's string literals (arguments, directive arguments and variable
//! defaults, in operations and fragment definitions alike), contain a control
//! character: C0 controls other than tab, line feed and carriage return, and
//! DEL. No field of the API means such text, and some stores refuse it (a NUL
//! is an error in PostgreSQL text), so it is the caller's fault and answered
//! with `BAD_USER_INPUT` naming the field (`input.narrative`, or
//! `$filter.search` for a variable), before any resolver or database runs.
//!
//! Each fragment definition is walked once, not once per spread, so the work
//! is linear in the size of the document and its variables.

use crate::error::AppError;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Pos, Positioned, ServerError, Value as ConstValue, Variables};

/// Whether `c` may not appear in any string input.
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// Whether `text` contains a character [`is_forbidden_control`] refuses.
pub fn has_forbidden_control(text: &str) -> bool {
    text.chars().any(is_forbidden_control)
}

/// The refusal of a string found at `field`.
fn refuse(field: &str, pos: Option<Pos>) -> ServerError {
    let message = "must not contain control characters (NUL, or others except tab and line breaks)";
    let error = AppError::bad_input(field, message).extend();
    error.into_server_error(pos.unwrap_or_default())
}

/// The first offending string in a constant value (variables, defaults), by path.
fn check_const(root: &str, value: &ConstValue) -> Option<String> {
    let mut stack: Vec<(String, &ConstValue)> = vec![(root.to_owned(), value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            ConstValue::String(s) if has_forbidden_control(s) => return Some(path),
            ConstValue::List(items) => stack.extend(items.iter().map(|v| (path.clone(), v))),
            ConstValue::Object(fields) => {
                for (key, v) in fields {
                    if has_forbidden_control(key) {
                        return Some(path);
                    }
                    stack.push((format!("{path}.{key}"), v));
                }
            }
            _ => {}
        }
    }
    None
}

/// The document literal `value` with its variables (checked with the
/// variables) replaced by null.
macro_rules! literal {
    ($value:expr) => {
        $value.clone().into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null)).unwrap_or_default()
    };
}

fn check_directives(directives: &[Positioned<Directive>]) -> Result<(), ServerError> {
    for directive in directives {
        for (name, value) in &directive.node.arguments {
            if let Some(path) = check_const(&name.node, &literal!(value.node)) {
                return Err(refuse(&path, Some(value.pos)));
            }
        }
    }
    Ok(())
}

/// Checks every literal of a selection set, iteratively (no recursion on
/// the document's nesting).
fn check_selection_set(set: &SelectionSet) -> Result<(), ServerError> {
    let mut stack: Vec<&SelectionSet> = vec![set];
    while let Some(set) = stack.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        if let Some(path) = check_const(&name.node, &literal!(value.node)) {
                            return Err(refuse(&path, Some(value.pos)));
                        }
                    }
                    check_directives(&field.node.directives)?;
                    stack.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    check_directives(&fragment.node.directives)?;
                    stack.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => check_directives(&spread.node.directives)?,
            }
        }
    }
    Ok(())
}

/// Checks the variables and every string literal of `document`.
///
/// # Errors
/// `BAD_USER_INPUT` naming the first offending field.
pub fn check_request(document: &ExecutableDocument, variables: &Variables) -> Result<(), ServerError> {
    for (name, value) in variables.iter() {
        if let Some(path) = check_const(&format!("${name}"), value) {
            return Err(refuse(&path, None));
        }
    }
    for (_, operation) in document.operations.iter() {
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value
                && let Some(path) = check_const(&format!("${}", variable.node.name.node), &default.node)
            {
                return Err(refuse(&path, Some(default.pos)));
            }
            check_directives(&variable.node.directives)?;
        }
        check_directives(&operation.node.directives)?;
        check_selection_set(&operation.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        check_directives(&fragment.node.directives)?;
        check_selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_not() {
        for bad in ["a\0b", "\u{1}", "x\u{1b}[31m", "\u{7f}", "\u{8}"] {
            assert!(has_forbidden_control(bad), "{bad:?}");
        }
        for good in ["", "plain", "line\nbreak\r\n\ttab", "中文", "\u{85}"] {
            assert!(!has_forbidden_control(good), "{good:?}");
        }
    }

    #[test]
    fn literals_and_variables_are_named_by_path() {
        let document = async_graphql::parser::parse_query(
            r#"query($v: String = "ok") { tasks(filter: { search: "a\u0000b" }) { totalCount } }"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let error = check_request(&document, &Variables::default()).err();
        let code = error.as_ref().and_then(|e| e.extensions.as_ref()).and_then(|e| e.get("code").cloned());
        assert_eq!(code, Some(ConstValue::from("BAD_USER_INPUT")));
        assert!(error.is_some_and(|e| e.message.contains("filter.search")));

        let document = async_graphql::parser::parse_query("query($f: TaskFilter) { tasks(filter: $f) { totalCount } }")
            .unwrap_or_else(|e| panic!("{e}"));
        let variables = Variables::from_json(serde_json::json!({ "f": { "search": ["ok", "\u{0}"] } }));
        let error = check_request(&document, &variables).err();
        assert!(error.is_some_and(|e| e.message.contains("$f.search")));
    }
}
