//! What a parsed document costs once its fragments are expanded, measured in
//! time linear in the document's size.
//!
//! async-graphql's validation (and its recursion check at parse time) walks
//! every fragment spread anew, so a few hundred bytes of fragments that each
//! spread the next one four times cost 4^levels steps. Here each fragment is
//! measured once and its [`Cost`] reused at every spread; counts that would
//! grow past `u64::MAX` saturate there. A fragment reached again while it is
//! being measured is a cycle, reported with its path.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use std::collections::HashMap;

/// The root fields that only introspect the schema.
const META_FIELDS: [&str; 3] = ["__schema", "__type", "__typename"];

/// Introspection fields that return lists: nesting them multiplies the answer.
const INTROSPECTION_LISTS: [&str; 8] =
    ["types", "fields", "args", "inputFields", "interfaces", "possibleTypes", "enumValues", "directives"];

/// The measure of a selection set (or of a whole operation) after expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Fields selected, each spread counting its fragment's fields again.
    pub fields: u64,
    /// Fragment spreads, counted as the fields are.
    pub spreads: u64,
    /// Directives on fields, spreads, inline fragments and fragment definitions.
    pub directives: u64,
    /// Deepest field nesting, as async-graphql's depth limit counts it (`{ a { b } }` is 2).
    pub depth: u64,
    /// Deepest nesting of selection sets, spreads and inline fragments, as
    /// async-graphql's recursion limit counts it.
    pub nesting: u64,
    /// Most introspection list fields (`types`, `fields`, …) nested on one path.
    pub introspection_lists: u64,
    /// Every field at the top of this set is `__schema`, `__type` or `__typename`.
    pub meta_only: bool,
}

impl Cost {
    const EMPTY: Cost =
        Cost { fields: 0, spreads: 0, directives: 0, depth: 0, nesting: 0, introspection_lists: 0, meta_only: true };

    fn add(&mut self, other: &Cost) {
        self.fields = self.fields.saturating_add(other.fields);
        self.spreads = self.spreads.saturating_add(other.spreads);
        self.directives = self.directives.saturating_add(other.directives);
        self.depth = self.depth.max(other.depth);
        self.nesting = self.nesting.max(other.nesting);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
        self.meta_only &= other.meta_only;
    }
}

/// One operation of the document and its cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationCost {
    pub name: Option<String>,
    pub cost: Cost,
}

/// Why the measure could not be completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmeasurable {
    /// A fragment spreads itself, directly or through others: the names on the way.
    Cycle(Vec<String>),
    /// Selection sets and spreads nest deeper than the recursion limit.
    TooDeep { limit: u64 },
}

/// Whether the document selects `__schema` or `__type` anywhere.
pub fn uses_introspection(document: &ExecutableDocument) -> bool {
    fn in_set(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type") || in_set(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    document.operations.iter().any(|(_, op)| in_set(&op.node.selection_set.node))
        || document.fragments.values().any(|f| in_set(&f.node.selection_set.node))
}

/// Measures every operation of `document`. Selection sets may nest at most
/// `max_nesting` deep (counted as [`Cost::nesting`]); that also bounds this
/// function's own recursion.
///
/// # Errors
/// A fragment cycle, or nesting past `max_nesting`.
pub fn measure(document: &ExecutableDocument, max_nesting: u64) -> Result<Vec<OperationCost>, Unmeasurable> {
    let mut walker = Walker { document, memo: HashMap::new(), path: Vec::new(), max_nesting };
    document
        .operations
        .iter()
        .map(|(name, op)| {
            let cost = walker.set(&op.node.selection_set.node, false, 0)?;
            Ok(OperationCost { name: name.map(|n| n.to_string()), cost })
        })
        .collect()
}

enum Memo {
    InProgress,
    Done(Cost),
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    memo: HashMap<&'a str, Memo>,
    /// Fragments being measured, outermost first (for the cycle message).
    path: Vec<&'a str>,
    max_nesting: u64,
}

impl<'a> Walker<'a> {
    /// The cost of `set`, found at nesting `level`; `introspection` says whether
    /// it selects from an introspection type.
    fn set(&mut self, set: &'a SelectionSet, introspection: bool, level: u64) -> Result<Cost, Unmeasurable> {
        if level > self.max_nesting {
            return Err(Unmeasurable::TooDeep { limit: self.max_nesting });
        }
        let mut total = Cost::EMPTY;
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let inner = introspection || name == "__schema" || name == "__type";
                    let children = &field.selection_set.node;
                    let mut cost = if children.items.is_empty() {
                        Cost::EMPTY
                    } else {
                        let mut cost = self.set(children, inner, level + 1)?;
                        cost.nesting += 1;
                        cost
                    };
                    cost.fields = cost.fields.saturating_add(1);
                    cost.directives = cost.directives.saturating_add(field.directives.len() as u64);
                    cost.depth += 1;
                    if introspection && INTROSPECTION_LISTS.contains(&name) {
                        cost.introspection_lists += 1;
                    }
                    cost.meta_only = META_FIELDS.contains(&name);
                    cost
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let inner = match &fragment.type_condition {
                        Some(condition) => condition.node.on.node.starts_with("__"),
                        None => introspection,
                    };
                    let mut cost = self.set(&fragment.selection_set.node, inner, level + 1)?;
                    cost.nesting += 1;
                    cost.directives = cost.directives.saturating_add(fragment.directives.len() as u64);
                    cost
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    let mut cost = self.fragment(spread.fragment_name.node.as_str(), level + 1)?;
                    cost.nesting += 1;
                    cost.spreads = cost.spreads.saturating_add(1);
                    cost.directives = cost.directives.saturating_add(spread.directives.len() as u64);
                    cost
                }
            };
            total.add(&cost);
        }
        Ok(total)
    }

    /// The cost of the fragment `name`, measured once; spread at nesting `level`.
    fn fragment(&mut self, name: &'a str, level: u64) -> Result<Cost, Unmeasurable> {
        let cost = match self.memo.get(name) {
            Some(Memo::Done(cost)) => *cost,
            Some(Memo::InProgress) => {
                let start = self.path.iter().position(|n| *n == name).unwrap_or(0);
                let mut cycle: Vec<String> = self.path[start..].iter().map(|n| (*n).to_owned()).collect();
                cycle.push(name.to_owned());
                return Err(Unmeasurable::Cycle(cycle));
            }
            None => {
                // An unknown fragment costs nothing here; validation reports it.
                let Some((key, definition)) = self.document.fragments.get_key_value(name) else {
                    return Ok(Cost::EMPTY);
                };
                let key = key.as_str();
                let definition = &definition.node;
                self.memo.insert(key, Memo::InProgress);
                self.path.push(key);
                let introspection = definition.type_condition.node.on.node.starts_with("__");
                let measured = self.set(&definition.selection_set.node, introspection, level);
                self.path.pop();
                let mut cost = measured?;
                cost.directives = cost.directives.saturating_add(definition.directives.len() as u64);
                self.memo.insert(key, Memo::Done(cost));
                cost
            }
        };
        if level.saturating_add(cost.nesting) > self.max_nesting {
            return Err(Unmeasurable::TooDeep { limit: self.max_nesting });
        }
        Ok(cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn cost(text: &str) -> Result<Cost, Unmeasurable> {
        let document = parse_query(text).expect("a valid document");
        let operations = measure(&document, 64)?;
        Ok(operations[0].cost)
    }

    #[test]
    fn spreads_count_their_fragment_again_and_saturate() {
        let c = cost("{ ...F ...F } fragment F on Query { a b @skip(if: false) }").unwrap();
        assert_eq!((c.fields, c.spreads, c.directives), (4, 2, 2));
        let mut text = String::from("{ ...F0 }");
        for level in 0..40 {
            text.push_str(&format!(" fragment F{level} on Query {{ ...F{n} ...F{n} ...F{n} ...F{n} }}", n = level + 1));
        }
        text.push_str(" fragment F40 on Query { a }");
        let c = cost(&text).unwrap();
        assert_eq!((c.fields, c.spreads), (u64::MAX, u64::MAX));
    }

    #[test]
    fn depth_and_nesting_count_as_async_graphql_does() {
        let c = cost("{ a { b } ...F } fragment F on Query { c { d { e } } }").unwrap();
        assert_eq!((c.depth, c.nesting), (3, 3));
        let c = cost("{ ... on Query { a { b } } }").unwrap();
        assert_eq!((c.depth, c.nesting), (2, 2));
    }

    #[test]
    fn cycles_are_reported_with_their_path() {
        let e =
            cost("{ ...A } fragment A on Query { x ...B } fragment B on Query { ...C } fragment C on Query { ...A }");
        assert_eq!(e, Err(Unmeasurable::Cycle(vec!["A".into(), "B".into(), "C".into(), "A".into()])));
        let mut chain = String::from("{ ...F0 }");
        for level in 0..70 {
            chain.push_str(&format!(" fragment F{level} on Query {{ ...F{} }}", level + 1));
        }
        chain.push_str(" fragment F70 on Query { a }");
        assert_eq!(cost(&chain), Err(Unmeasurable::TooDeep { limit: 64 }));
    }

    #[test]
    fn introspection_is_recognised() {
        let c = cost("{ __schema { types { fields { args { name } } } } __typename }").unwrap();
        assert!(c.meta_only);
        assert_eq!(c.introspection_lists, 3);
        let c = cost("{ __typename plans { types { fields { name } } } }").unwrap();
        assert!(!c.meta_only);
        assert_eq!(c.introspection_lists, 0, "fields named like introspection's outside it are not counted");
        let c = cost("{ __type(name: \"A\") { ...T } } fragment T on __Type { fields { type { fields { name } } } }");
        assert_eq!(c.unwrap().introspection_lists, 2);
    }
}
