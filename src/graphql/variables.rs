//! Variable values are checked against their declared types before anything
//! executes (the GraphQL spec's CoerceVariableValues), so a wrong variable is
//! a request error — no path, no data, HTTP 400 under
//! `application/graphql-response+json` — like a syntax or validation error.
//!
//! async-graphql itself coerces a variable only where a field argument uses
//! it, during execution, which would report it as a field error. Checked
//! here: a required variable missing or null, a scalar its type rejects, an
//! enum name the enum lacks, an input object with an unknown field or a
//! required field missing — at any depth of lists and input objects.

use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument, Type};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{ServerError, ServerResult, Value, Variables};

/// The first variable of the selected operation whose value does not fit its
/// type, as an error at the variable's definition. An operation that cannot
/// be selected is left to async-graphql's own error.
///
/// # Errors
/// `BAD_USER_INPUT` naming the variable and the part of its value that does not fit.
pub fn check(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> ServerResult<()> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return Ok(()),
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => match operations.values().next() {
            Some(operation) => operation,
            None => return Ok(()),
        },
        (DocumentOperations::Multiple(_), None) => return Ok(()),
    };
    for definition in &operation.node.variable_definitions {
        let name = &definition.node.name.node;
        let ty = &definition.node.var_type.node;
        let value = variables.get(name);
        let problem = match value {
            None if definition.node.default_value.is_some() => None,
            None if !ty.nullable => Some(format!("variable ${name} of type {ty} was not provided")),
            None => None,
            Some(value) => fits(registry, ty, value, &format!("${name}")).err(),
        };
        if let Some(problem) = problem {
            return Err(ServerError::new(problem, Some(definition.pos)));
        }
    }
    Ok(())
}

/// `Ok` when `value` can be coerced to `ty`; else what is wrong, at `path`.
fn fits(registry: &Registry, ty: &Type, value: &Value, path: &str) -> Result<(), String> {
    if *value == Value::Null {
        return if ty.nullable { Ok(()) } else { Err(format!("{path} of type {ty} must not be null")) };
    }
    match &ty.base {
        BaseType::List(item) => match value {
            Value::List(items) => {
                items.iter().enumerate().try_for_each(|(n, value)| fits(registry, item, value, &format!("{path}[{n}]")))
            }
            // A single value stands for a list of one.
            value => fits(registry, item, value, path),
        },
        BaseType::Named(name) => {
            let Some(meta) = registry.types.get(name.as_str()) else { return Ok(()) };
            let invalid = || Err(format!("{path} is not a valid {name}"));
            match meta {
                MetaType::Scalar { is_valid: Some(is_valid), .. } if !is_valid(value) => invalid(),
                MetaType::Enum { enum_values, .. } => match value {
                    Value::Enum(v) if enum_values.contains_key(v.as_str()) => Ok(()),
                    Value::String(v) if enum_values.contains_key(v.as_str()) => Ok(()),
                    _ => invalid(),
                },
                MetaType::InputObject { input_fields, .. } => {
                    let Value::Object(fields) = value else { return invalid() };
                    if let Some(unknown) = fields.keys().find(|key| !input_fields.contains_key(key.as_str())) {
                        return Err(format!("{path} has no field {unknown} ({name})"));
                    }
                    for (field_name, field) in input_fields {
                        let Some(field_ty) = Type::new(&field.ty) else { continue };
                        match fields.get(field_name.as_str()) {
                            Some(value) => fits(registry, &field_ty, value, &format!("{path}.{field_name}"))?,
                            None if !field_ty.nullable && field.default_value.is_none() => {
                                return Err(format!("{path}.{field_name} of type {field_ty} was not provided"));
                            }
                            None => {}
                        }
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        }
    }
}
