//! Journey parameters — `${param}` substitution in a journey's steps, with the caller's `with`
//! values over the parameters' defaults.

use indexmap::IndexMap;
use serde_yaml::Value;

use super::count::whole_param;
use super::document::Param;
use crate::diagnostic::unknown_name;

/// The value of every parameter for one use of `journey`: the caller's, else the default.
/// Unknown names in `with` and parameters left without a value are errors.
pub fn bind(
    journey: &str,
    params: &IndexMap<String, Param>,
    with: &IndexMap<String, Value>,
) -> Result<IndexMap<String, Value>, String> {
    for name in with.keys() {
        if params.contains_key(name) {
            continue;
        }
        if params.is_empty() {
            return Err(format!(
                "journey `{}` takes no parameters, so `{name}` is unknown",
                journey
            ));
        }
        let (msg, help) = unknown_name("parameter", name, params.keys().map(String::as_str));
        return Err(match help {
            Some(h) => format!("{msg} of journey `{}` ({h})", journey),
            None => msg,
        });
    }
    let mut values = IndexMap::new();
    for (name, param) in params {
        match with.get(name).or(param.default.as_ref()) {
            Some(v) => {
                values.insert(name.clone(), v.clone());
            }
            None => {
                return Err(format!(
                    "journey `{}` needs a value for `{name}`: add `with: {{{name}: …}}`",
                    journey
                ))
            }
        }
    }
    Ok(values)
}

/// `value` with every `${name}` replaced. A string that is exactly `${name}` becomes the
/// parameter's value with its type (a number stays a number); inside longer text the value is
/// written as text. Names not in `values` are errors when `strict`, else left as they are.
pub fn substitute(
    value: &Value,
    values: &IndexMap<String, Value>,
    strict: bool,
) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => {
            if let Some(name) = whole_param(s) {
                match values.get(name) {
                    Some(v) => v.clone(),
                    None if strict => return Err(unknown_param(name, values)),
                    None => value.clone(),
                }
            } else {
                Value::String(interpolate(s, values, strict)?)
            }
        }
        Value::Sequence(items) => Value::Sequence(
            items
                .iter()
                .map(|v| substitute(v, values, strict))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(map) => {
            let mut out = serde_yaml::Mapping::new();
            for (k, v) in map {
                out.insert(k.clone(), substitute(v, values, strict)?);
            }
            Value::Mapping(out)
        }
        Value::Tagged(t) => Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: t.tag.clone(),
            value: substitute(&t.value, values, strict)?,
        })),
        other => other.clone(),
    })
}

/// `text` with each `${name}` whose parameter has a scalar default replaced by that default's
/// text; other references stay. Lines keep their numbers, so a journey file checked this way
/// reports problems on the lines where they are written.
pub fn with_defaults(text: &str, params: &IndexMap<String, Param>) -> String {
    let defaults: IndexMap<String, Value> = params
        .iter()
        .filter_map(|(k, p)| match &p.default {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                Some((k.clone(), v.clone()))
            }
            _ => None,
        })
        .collect();
    interpolate(text, &defaults, false).unwrap_or_else(|_| text.to_owned())
}

/// Every `${name}` in `text`, in order.
pub fn references(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

fn interpolate(
    text: &str,
    values: &IndexMap<String, Value>,
    strict: bool,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        match values.get(name) {
            Some(v) => out.push_str(&scalar_text(name, v)?),
            None if strict => return Err(unknown_param(name, values)),
            None => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn scalar_text(name: &str, v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        _ => Err(format!(
            "parameter `{name}` is a list or map, so it cannot stand inside text; write it alone as `${{{name}}}`"
        )),
    }
}

fn unknown_param(name: &str, values: &IndexMap<String, Value>) -> String {
    let (msg, help) = unknown_name("parameter", name, values.keys().map(String::as_str));
    match help {
        Some(h) if !values.is_empty() => format!("{msg} ({h})"),
        _ if values.is_empty() => {
            format!("unknown parameter `{name}`: this journey declares no `params`")
        }
        _ => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Journey, Step};

    fn journey() -> Journey {
        crate::scenario::source::from_str(
            r#"
name: quick-card-sale
params:
  card: {default: chip-ok}
  items: {default: 2}
  item: {}
steps:
  - repeat: {times: "${items}", steps: [{scan: "${item}"}]}
  - total
  - pay: {card: {card: "${card}"}}
  - expect: {receipt: {contains: ["${item} x${items}"]}}
"#,
        )
        .unwrap()
    }

    fn yaml(s: &str) -> Value {
        crate::scenario::source::from_str(s).unwrap()
    }

    #[test]
    fn callers_values_override_defaults_and_required_ones_are_checked() {
        let j = journey();
        let with: IndexMap<String, Value> = [("item".to_string(), yaml("Lollipop"))].into();
        let v = bind(&j.name, &j.params, &with).unwrap();
        assert_eq!(v["card"], yaml("chip-ok"));
        assert_eq!(v["items"], yaml("2"));
        let e = bind(&j.name, &j.params, &IndexMap::new()).unwrap_err();
        assert!(
            e.contains("journey `quick-card-sale` needs a value for `item`"),
            "{e}"
        );
        let with: IndexMap<String, Value> =
            [("item".into(), yaml("x")), ("crad".into(), yaml("tap-ok"))].into();
        let e = bind(&j.name, &j.params, &with).unwrap_err();
        assert!(e.contains("`crad`, did you mean `card`?"), "{e}");
    }

    #[test]
    fn whole_references_keep_their_type_and_text_interpolates() {
        let values: IndexMap<String, Value> = [
            ("items".to_string(), yaml("3")),
            ("item".to_string(), yaml("Lollipop")),
        ]
        .into();
        let step = yaml(r#"{repeat: {times: "${items}", steps: [{scan: "${item}"}]}}"#);
        let out = substitute(&step, &values, true).unwrap();
        assert_eq!(
            out,
            yaml(r#"{repeat: {times: 3, steps: [{scan: Lollipop}]}}"#)
        );
        let s: Step = crate::scenario::source::from_value(out).unwrap();
        assert_eq!(s.name(), "repeat");
        let text = substitute(&yaml(r#""${item} x${items}!""#), &values, true).unwrap();
        assert_eq!(text, yaml("Lollipop x3!"));
    }

    #[test]
    fn unknown_references_are_errors_only_when_strict() {
        let values: IndexMap<String, Value> = [("card".to_string(), yaml("chip-ok"))].into();
        let e = substitute(&yaml(r#""${crad}""#), &values, true).unwrap_err();
        assert!(
            e.contains("unknown parameter `crad`, did you mean `card`?"),
            "{e}"
        );
        let kept = substitute(&yaml(r#""a ${later} b""#), &values, false).unwrap();
        assert_eq!(kept, yaml(r#""a ${later} b""#));
        assert_eq!(references("${a} and ${b}"), ["a", "b"]);
    }

    #[test]
    fn lists_cannot_stand_inside_text() {
        let values: IndexMap<String, Value> = [("codes".to_string(), yaml("[1, 2]"))].into();
        assert!(substitute(&yaml(r#""x ${codes}""#), &values, true).is_err());
        assert_eq!(
            substitute(&yaml(r#""${codes}""#), &values, true).unwrap(),
            yaml("[1, 2]")
        );
    }
}
