//! Response order: every object of a response lists its fields in the order
//! the request's selection set asks for them (the GraphQL spec's
//! CollectFields order, "Serialized Map Ordering"), on every transport.
//!
//! Why this is needed: async-graphql 7 resolves the fields of an object
//! concurrently and inserts each into the object's map when it completes
//! (`FuturesUnordered` in `resolver_utils::container`), so a field that
//! waits on the database or a DataLoader lands after its faster siblings.
//! The maps themselves keep insertion order (`IndexMap` in
//! async-graphql-value) and are serialised as they are, so restoring the
//! order once, after execution, is enough: the request pipeline calls
//! [`reorder`] on every executed operation (HTTP, WebSocket, batched or not)
//! and on every subscription event.
//!
//! The concrete type of an object of an interface or union type (which
//! decides which fragments apply) is its `__typename` when selected, else
//! the first possible type whose fields cover the object's keys.

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Name, Positioned, Value, Variables};
use std::collections::{HashMap, HashSet};

/// Puts the keys of every object in `data` in the order of the selected
/// operation's selection set. Keys the selection does not name (none, in
/// practice) keep their place after the named ones.
pub fn reorder(
    registry: &Registry,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    data: &mut Value,
) {
    let root = match operation.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root else { return };
    let order = Order { registry, document, variables };
    order.value(data, root, &[&operation.selection_set.node]);
}

/// One response key of an object: the field it answers and every selection
/// set asked of it (several when the key is selected more than once).
struct Collected<'a> {
    key: &'a Name,
    field: &'a Name,
    sets: Vec<&'a SelectionSet>,
}

struct Order<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
}

impl<'a> Order<'a> {
    /// Orders `value` (an object, a list of them, or a leaf) of the named
    /// type `type_name`, selected by `sets`.
    fn value(&self, value: &mut Value, type_name: &str, sets: &[&'a SelectionSet]) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.value(item, type_name, sets);
                }
            }
            Value::Object(map) => {
                let concrete = self.concrete_type(map, type_name, sets);
                let fields = self.collect(concrete, sets);
                let position: HashMap<&str, usize> =
                    fields.iter().enumerate().map(|(n, field)| (field.key.as_str(), n)).collect();
                map.sort_by(|a, _, b, _| {
                    let a = position.get(a.as_str()).copied().unwrap_or(usize::MAX);
                    let b = position.get(b.as_str()).copied().unwrap_or(usize::MAX);
                    a.cmp(&b)
                });
                let Some(parent) = concrete.or(Some(type_name)).and_then(|name| self.registry.types.get(name)) else {
                    return;
                };
                for field in fields.iter().filter(|field| !field.sets.is_empty()) {
                    let (Some(child), Some(meta)) = (map.get_mut(field.key), parent.field_by_name(field.field)) else {
                        continue;
                    };
                    self.value(child, MetaTypeName::concrete_typename(&meta.ty), &field.sets);
                }
            }
            _ => {}
        }
    }

    /// The object type of an object value declared as `type_name`: the type
    /// itself when it is an object type; for an interface or union, the
    /// selected `__typename`, else the first possible type whose collected
    /// fields cover every key; `None` when none does (then every fragment
    /// counts as applying).
    fn concrete_type(
        &self,
        map: &async_graphql::indexmap::IndexMap<Name, Value>,
        type_name: &'a str,
        sets: &[&'a SelectionSet],
    ) -> Option<&'a str> {
        let meta = self.registry.types.get(type_name)?;
        let Some(possible) = meta.possible_types() else { return Some(type_name) };
        let all = self.collect(None, sets);
        let typename = all.iter().filter(|field| field.field.as_str() == "__typename").find_map(|field| {
            match map.get(field.key) {
                Some(Value::String(name)) => possible.get(name.as_str()).map(String::as_str),
                _ => None,
            }
        });
        if typename.is_some() {
            return typename;
        }
        possible.iter().map(String::as_str).find(|candidate| {
            let keys: HashSet<&str> = self.collect(Some(candidate), sets).iter().map(|f| f.key.as_str()).collect();
            map.keys().all(|key| keys.contains(key.as_str()))
        })
    }

    /// CollectFields: the response keys of an object of type `concrete`
    /// (`None`: unknown, every fragment applies) in request order, skipping
    /// what `@skip`/`@include` leave out.
    fn collect(&self, concrete: Option<&str>, sets: &[&'a SelectionSet]) -> Vec<Collected<'a>> {
        let mut out = Vec::new();
        let mut visited = HashSet::new();
        for set in sets {
            self.collect_into(concrete, set, &mut out, &mut visited);
        }
        out
    }

    fn collect_into(
        &self,
        concrete: Option<&str>,
        set: &'a SelectionSet,
        out: &mut Vec<Collected<'a>>,
        visited: &mut HashSet<&'a str>,
    ) {
        for selection in &set.items {
            if !self.included(selection.node.directives()) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    let child = &field.node.selection_set.node;
                    match out.iter_mut().find(|collected| collected.key == key) {
                        Some(collected) => collected.sets.push(child),
                        None => out.push(Collected {
                            key,
                            field: &field.node.name.node,
                            sets: if child.items.is_empty() { Vec::new() } else { vec![child] },
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.document.fragments.get(name) else { continue };
                    if visited.insert(name)
                        && self.applies(Some(fragment.node.type_condition.node.on.node.as_str()), concrete)
                    {
                        self.collect_into(concrete, &fragment.node.selection_set.node, out, visited);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let condition = inline.node.type_condition.as_ref().map(|c| c.node.on.node.as_str());
                    if self.applies(condition, concrete) {
                        self.collect_into(concrete, &inline.node.selection_set.node, out, visited);
                    }
                }
            }
        }
    }

    /// Whether a fragment with this type condition applies to an object of
    /// type `concrete` (always when either is unknown).
    fn applies(&self, condition: Option<&str>, concrete: Option<&str>) -> bool {
        let (Some(condition), Some(concrete)) = (condition, concrete) else { return true };
        condition == concrete
            || self.registry.types.get(condition).is_some_and(|meta: &MetaType| meta.is_possible_type(concrete))
    }

    /// `false` when `@skip(if: true)` or `@include(if: false)` leaves the selection out.
    fn included(&self, directives: &[Positioned<async_graphql::parser::types::Directive>]) -> bool {
        directives.iter().all(|directive| {
            let name = directive.node.name.node.as_str();
            let condition = directive.node.get_argument("if").and_then(|value| {
                value.node.clone().into_const_with(|variable| self.variables.get(&variable).cloned().ok_or(())).ok()
            });
            !matches!(
                (name, condition),
                ("skip", Some(Value::Boolean(true))) | ("include", Some(Value::Boolean(false)))
            )
        })
    }
}
