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
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

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
    let order = Order { registry, document, variables, shapes: RefCell::default() };
    order.value(data, root, &[&operation.selection_set.node]);
}

/// One response key of an object: the field it answers and every selection
/// set asked of it (several when the key is selected more than once).
struct Collected<'a> {
    key: &'a Name,
    field: &'a Name,
    sets: Vec<&'a SelectionSet>,
}

/// What every object of one type under the same selection shares: its
/// response keys in request order and the type each key's value has.
struct Shape<'a> {
    fields: Vec<Collected<'a>>,
    /// The named type of each field's value (`None`: not in the registry).
    child_types: Vec<Option<&'a str>>,
}

impl Shape<'_> {
    /// Where `key` comes in request order (keys the selection does not name last).
    fn rank(&self, key: &str) -> usize {
        self.fields.iter().position(|field| field.key.as_str() == key).unwrap_or(usize::MAX)
    }
}

/// A selection as the memo of shapes knows it: the object's concrete type
/// (if known), its declared type, and the addresses of its selection sets.
type ShapeKey<'a> = (Option<&'a str>, &'a str, Vec<usize>);

struct Order<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Shapes already collected in this response: the objects of a list share one.
    shapes: RefCell<foldhash::HashMap<ShapeKey<'a>, Rc<Shape<'a>>>>,
}

impl<'a> Order<'a> {
    /// Orders `value` (an object, a list of them, or a leaf) of the named
    /// type `type_name`, selected by `sets`.
    fn value(&self, value: &mut Value, type_name: &'a str, sets: &[&'a SelectionSet]) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.value(item, type_name, sets);
                }
            }
            Value::Object(map) => {
                let concrete = self.concrete_type(map, type_name, sets);
                let shape = self.shape(concrete, type_name, sets);
                let ranks: Vec<usize> = map.keys().map(|key| shape.rank(key)).collect();
                if !ranks.is_sorted() {
                    map.sort_by(|a, _, b, _| shape.rank(a).cmp(&shape.rank(b)));
                }
                for (key, child) in map.iter_mut() {
                    let rank = shape.rank(key);
                    let (Some(field), Some(Some(child_type))) = (shape.fields.get(rank), shape.child_types.get(rank))
                    else {
                        continue;
                    };
                    if !field.sets.is_empty() {
                        self.value(child, child_type, &field.sets);
                    }
                }
            }
            _ => {}
        }
    }

    /// The shape of objects of `concrete` (declared as `type_name`) under
    /// `sets`, collected once per response.
    fn shape(&self, concrete: Option<&'a str>, type_name: &'a str, sets: &[&'a SelectionSet]) -> Rc<Shape<'a>> {
        let key = (concrete, type_name, sets.iter().map(|set| std::ptr::from_ref(*set) as usize).collect());
        if let Some(shape) = self.shapes.borrow().get(&key) {
            return shape.clone();
        }
        let fields = self.collect(concrete, sets);
        let parent = self.registry.types.get(concrete.unwrap_or(type_name));
        let child_types = fields
            .iter()
            .map(|field| {
                let meta = parent?.field_by_name(field.field)?;
                Some(MetaTypeName::concrete_typename(&meta.ty))
            })
            .collect();
        let shape = Rc::new(Shape { fields, child_types });
        self.shapes.borrow_mut().insert(key, shape.clone());
        shape
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
