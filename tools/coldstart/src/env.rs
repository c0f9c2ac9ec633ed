//! A function's environment as `template.yaml` gives it: the `Globals` variables, then the
//! function's own, with `!Ref`s resolved (the table, the bucket, parameters' defaults) and what
//! only exists in AWS (`!Sub` of API IDs …) left to the caller's overrides.

use std::collections::BTreeMap;

use serde_yaml::Value;

/// What a `!Ref` or an unresolvable value stands for here.
pub struct Resolve<'a> {
    /// Logical ID → value (`Table` → the table's name, `StorageBucket` → the bucket's).
    pub resources: &'a BTreeMap<String, String>,
    /// Variable → value, winning over the template (`TOKEN_SECRET`, `SOCKET_ENDPOINT` …).
    pub overrides: &'a BTreeMap<String, String>,
}

/// The environment of the function whose logical ID is `function`; an error names a variable
/// the template sets to something neither the resources, the parameters' defaults nor the
/// overrides resolve.
pub fn of_function(template: &Value, function: &str, resolve: &Resolve) -> Result<BTreeMap<String, String>, String> {
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    let own = &template["Resources"][function]["Properties"]["Environment"]["Variables"];
    let mut out = BTreeMap::new();
    for vars in [globals, own] {
        let Some(vars) = vars.as_mapping() else { continue };
        for (name, value) in vars {
            let name = name.as_str().ok_or("a variable name is not a string")?.to_owned();
            if let Some(v) = resolve.overrides.get(&name) {
                out.insert(name, v.clone());
                continue;
            }
            let value = scalar(value)
                .or_else(|| reference(template, value, resolve))
                .ok_or_else(|| format!("{function}: {name} = {value:?} has no local value (give an override)"))?;
            out.insert(name, value);
        }
    }
    for (name, value) in resolve.overrides {
        out.entry(name.clone()).or_insert_with(|| value.clone());
    }
    Ok(out)
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `!Ref X`: a resource's local value, else parameter `X`'s default.
fn reference(template: &Value, value: &Value, resolve: &Resolve) -> Option<String> {
    let Value::Tagged(tagged) = value else { return None };
    if tagged.tag != "!Ref" {
        return None;
    }
    let id = tagged.value.as_str()?;
    if let Some(v) = resolve.resources.get(id) {
        return Some(v.clone());
    }
    scalar(&template["Parameters"][id]["Default"])
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  LogLevel: {Type: String, Default: info}
  Secret: {Type: String}
Globals:
  Function:
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        RUST_LOG: !Ref LogLevel
        TOKEN_SECRET: !Ref Secret
        MALLOC_MMAP_THRESHOLD_: "1048576"
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          SOCKET_ENDPOINT: !Sub "https://${Api}.example"
          POINTS: 2
"#;

    #[test]
    fn globals_then_the_functions_own_with_refs_resolved_and_overrides_winning() {
        let template: Value = serde_yaml::from_str(TEMPLATE).unwrap();
        let resources = BTreeMap::from([("Table".to_owned(), "t1".to_owned())]);
        let overrides = BTreeMap::from([
            ("TOKEN_SECRET".to_owned(), "s".to_owned()),
            ("SOCKET_ENDPOINT".to_owned(), "http://127.0.0.1:1/ws".to_owned()),
            ("EXTRA".to_owned(), "x".to_owned()),
        ]);
        let env = of_function(
            &template,
            "Fn",
            &Resolve {
                resources: &resources,
                overrides: &overrides,
            },
        )
        .unwrap();
        let get = |k: &str| env.get(k).map(String::as_str);
        assert_eq!(get("TABLE_NAME"), Some("t1"));
        assert_eq!(get("RUST_LOG"), Some("info"));
        assert_eq!(get("TOKEN_SECRET"), Some("s"));
        assert_eq!(get("MALLOC_MMAP_THRESHOLD_"), Some("1048576"));
        assert_eq!(get("SOCKET_ENDPOINT"), Some("http://127.0.0.1:1/ws"));
        assert_eq!(get("POINTS"), Some("2"));
        assert_eq!(get("EXTRA"), Some("x"));
    }

    #[test]
    fn an_unresolvable_value_is_an_error_naming_it() {
        let template: Value = serde_yaml::from_str(TEMPLATE).unwrap();
        let (resources, overrides) = (BTreeMap::new(), BTreeMap::new());
        let err = of_function(
            &template,
            "Fn",
            &Resolve {
                resources: &resources,
                overrides: &overrides,
            },
        )
        .unwrap_err();
        assert!(err.contains("TABLE_NAME"), "{err}");
    }
}
