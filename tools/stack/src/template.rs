//! What the local stack takes from `template.yaml`: each function's binary, HTTP API routes
//! and DynamoDB and S3 policy, the table definition and the storage bucket. Only the template
//! forms this project uses
//! are understood; anything else is an error rather than a silent guess.

use std::collections::BTreeSet;
use std::path::Path;

use serde_yaml::Value;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("{0}")]
    Shape(String),
}

fn shape(msg: impl Into<String>) -> TemplateError {
    TemplateError::Shape(msg.into())
}

#[derive(Debug, Clone)]
pub struct Template {
    pub functions: Vec<FunctionDef>,
    pub table: TableDef,
    /// The logical ID of the storage bucket, if the template has one.
    pub bucket: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    pub binary: String,
    pub routes: Vec<Route>,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    pub path: String,
}

/// One `Allow` statement of a function's policy.
#[derive(Debug, Clone)]
pub struct Grant {
    pub actions: BTreeSet<String>,
    pub resources: Vec<Resource>,
}

/// A resource a statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// The table itself (`!GetAtt Table.Arn`).
    Table,
    /// An index of the table (`!Sub "${Table.Arn}/index/GSI1"`), `*` for all.
    Index(String),
    /// Objects of the bucket whose keys start with a prefix (`!Sub "${StorageBucket.Arn}/storage/*"`
    /// is the prefix `storage/`).
    Objects(String),
    /// Anything else, kept for error messages.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub logical_id: String,
    /// (attribute name, type) pairs.
    pub attributes: Vec<(String, String)>,
    /// (attribute name, HASH|RANGE) pairs.
    pub key_schema: Vec<(String, String)>,
    pub indexes: Vec<IndexDef>,
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: String,
    pub key_schema: Vec<(String, String)>,
    pub projection: String,
}

impl Template {
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TemplateError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_yaml::from_str(text)?;
        let resources = doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| shape("no Resources"))?;
        let mut tables = Vec::new();
        let mut buckets = Vec::new();
        let mut functions = Vec::new();
        for (id, res) in resources {
            let id = id.as_str().ok_or_else(|| shape("resource id is not a string"))?;
            match res.get("Type").and_then(Value::as_str) {
                Some("AWS::DynamoDB::Table") => tables.push(parse_table(id, res)?),
                Some("AWS::S3::Bucket") => buckets.push(id.to_owned()),
                Some("AWS::Serverless::Function") => functions.push((id, res)),
                _ => {}
            }
        }
        let table = match tables.len() {
            1 => tables.remove(0),
            n => return Err(shape(format!("expected one DynamoDB table, found {n}"))),
        };
        if buckets.len() > 1 {
            return Err(shape(format!(
                "expected at most one S3 bucket, found {}",
                buckets.len()
            )));
        }
        let bucket = buckets.pop();
        let functions = functions
            .into_iter()
            .map(|(id, res)| parse_function(id, res, &table.logical_id, bucket.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            functions,
            table,
            bucket,
        })
    }

    /// Every (method, path) of every function.
    pub fn routes(&self) -> BTreeSet<Route> {
        self.functions.iter().flat_map(|f| f.routes.iter().cloned()).collect()
    }
}

fn text(v: &Value, what: &str) -> Result<String, TemplateError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| shape(format!("{what} is not a string")))
}

fn list<'a>(v: Option<&'a Value>, what: &str) -> Result<&'a Vec<Value>, TemplateError> {
    v.and_then(Value::as_sequence)
        .ok_or_else(|| shape(format!("{what} is not a list")))
}

fn pairs(v: Option<&Value>, what: &str, a: &str, b: &str) -> Result<Vec<(String, String)>, TemplateError> {
    list(v, what)?
        .iter()
        .map(|e| {
            let get = |k: &str| {
                e.get(k)
                    .ok_or_else(|| shape(format!("{what}: missing {k}")))
                    .and_then(|v| text(v, k))
            };
            Ok((get(a)?, get(b)?))
        })
        .collect()
}

fn parse_table(id: &str, res: &Value) -> Result<TableDef, TemplateError> {
    let props = res
        .get("Properties")
        .ok_or_else(|| shape(format!("{id}: no Properties")))?;
    let attributes = pairs(
        props.get("AttributeDefinitions"),
        "AttributeDefinitions",
        "AttributeName",
        "AttributeType",
    )?;
    let key_schema = pairs(props.get("KeySchema"), "KeySchema", "AttributeName", "KeyType")?;
    let indexes = match props.get("GlobalSecondaryIndexes") {
        None => Vec::new(),
        Some(v) => list(Some(v), "GlobalSecondaryIndexes")?
            .iter()
            .map(|g| {
                Ok(IndexDef {
                    name: text(g.get("IndexName").unwrap_or(&Value::Null), "IndexName")?,
                    key_schema: pairs(g.get("KeySchema"), "index KeySchema", "AttributeName", "KeyType")?,
                    projection: g
                        .get("Projection")
                        .and_then(|p| p.get("ProjectionType"))
                        .and_then(Value::as_str)
                        .unwrap_or("ALL")
                        .to_owned(),
                })
            })
            .collect::<Result<_, TemplateError>>()?,
    };
    let ttl_attribute = props
        .get("TimeToLiveSpecification")
        .filter(|t| t.get("Enabled").and_then(Value::as_bool) == Some(true))
        .and_then(|t| t.get("AttributeName"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(TableDef {
        logical_id: id.to_owned(),
        attributes,
        key_schema,
        indexes,
        ttl_attribute,
    })
}

fn parse_function(
    id: &str,
    res: &Value,
    table_id: &str,
    bucket_id: Option<&str>,
) -> Result<FunctionDef, TemplateError> {
    let binary = res
        .get("Metadata")
        .and_then(|m| m.get("BuildProperties"))
        .and_then(|b| b.get("Binary"))
        .and_then(Value::as_str)
        .ok_or_else(|| shape(format!("{id}: no Metadata.BuildProperties.Binary")))?
        .to_owned();
    let props = res
        .get("Properties")
        .ok_or_else(|| shape(format!("{id}: no Properties")))?;
    let mut routes = Vec::new();
    if let Some(events) = props.get("Events").and_then(Value::as_mapping) {
        for (_, event) in events {
            if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                continue;
            }
            let p = event
                .get("Properties")
                .ok_or_else(|| shape(format!("{id}: HttpApi event without Properties")))?;
            let path = text(p.get("Path").unwrap_or(&Value::Null), "Path")?;
            let method = text(p.get("Method").unwrap_or(&Value::Null), "Method")?.to_ascii_uppercase();
            routes.push(Route { method, path });
        }
    }
    let mut grants = Vec::new();
    if let Some(policies) = props.get("Policies") {
        for policy in list(Some(policies), "Policies")? {
            let statements = policy
                .get("Statement")
                .ok_or_else(|| shape(format!("{id}: only inline `Statement` policies are supported")))?;
            let statements: Vec<&Value> = match statements {
                Value::Sequence(s) => s.iter().collect(),
                single => vec![single],
            };
            for st in statements {
                if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
                    return Err(shape(format!("{id}: only Allow statements are supported")));
                }
                grants.push(Grant {
                    actions: one_or_many(st.get("Action"))?
                        .into_iter()
                        .map(|v| text(v, "Action"))
                        .collect::<Result<_, _>>()?,
                    resources: one_or_many(st.get("Resource"))?
                        .into_iter()
                        .flat_map(|r| {
                            bucket_resources(st, r, bucket_id).unwrap_or_else(|| vec![resource(r, table_id, bucket_id)])
                        })
                        .collect(),
                });
            }
        }
    }
    Ok(FunctionDef {
        logical_id: id.to_owned(),
        binary,
        routes,
        grants,
    })
}

fn one_or_many(v: Option<&Value>) -> Result<Vec<&Value>, TemplateError> {
    match v {
        Some(Value::Sequence(s)) => Ok(s.iter().collect()),
        Some(other) => Ok(vec![other]),
        None => Err(shape("statement without Action or Resource")),
    }
}

/// The bucket itself (`!GetAtt StorageBucket.Arn`, for `s3:ListBucket`): the keys a listing
/// may cover, from the statement's `Condition: {StringLike: {s3:prefix: [...]}}` (every key
/// without one). `None` for any other resource.
fn bucket_resources(st: &Value, v: &Value, bucket_id: Option<&str>) -> Option<Vec<Resource>> {
    let Value::Tagged(t) = v else { return None };
    if t.tag != "!GetAtt" || t.value.as_str() != Some(&format!("{}.Arn", bucket_id?)) {
        return None;
    }
    let prefixes = st
        .get("Condition")
        .and_then(|c| c.get("StringLike"))
        .and_then(|c| c.get("s3:prefix"));
    let Some(prefixes) = prefixes else {
        return Some(vec![Resource::Objects(String::new())]);
    };
    let list: Vec<&Value> = match prefixes {
        Value::Sequence(s) => s.iter().collect(),
        one => vec![one],
    };
    Some(
        list.into_iter()
            .filter_map(Value::as_str)
            .map(|p| Resource::Objects(p.trim_end_matches('*').to_owned()))
            .collect(),
    )
}

fn resource(v: &Value, table_id: &str, bucket_id: Option<&str>) -> Resource {
    let (tag, inner) = match v {
        Value::Tagged(t) => (t.tag.to_string(), t.value.as_str().unwrap_or_default().to_owned()),
        other => (String::new(), other.as_str().unwrap_or_default().to_owned()),
    };
    let table_arn = format!("{table_id}.Arn");
    let objects = bucket_id.and_then(|b| {
        inner
            .strip_prefix(&format!("${{{b}.Arn}}/"))
            .and_then(|pattern| pattern.strip_suffix('*'))
            .filter(|prefix| !prefix.contains('*'))
    });
    match tag.as_str() {
        "!GetAtt" if inner == table_arn => Resource::Table,
        "!Sub" => match (inner.strip_prefix(&format!("${{{table_arn}}}/index/")), objects) {
            (Some(index), _) => Resource::Index(index.to_owned()),
            (None, Some(prefix)) => Resource::Objects(prefix.to_owned()),
            (None, None) if inner == format!("${{{table_arn}}}") => Resource::Table,
            _ => Resource::Other(format!("{tag} {inner}")),
        },
        _ => Resource::Other(format!("{tag} {inner}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: true}
  LikeFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties: {Binary: like}
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem]
              Resource: !GetAtt Table.Arn
            - Effect: Allow
              Action: dynamodb:Query
              Resource: !Sub "${Table.Arn}/index/GSI1"
      Events:
        Api:
          Type: HttpApi
          Properties: {Path: "/x/{id}", Method: post}
"#;

    #[test]
    fn reads_functions_routes_policies_and_table() {
        let t = Template::parse(TEMPLATE).unwrap();
        assert_eq!(t.table.ttl_attribute.as_deref(), Some("expiresAt"));
        let f = &t.functions[0];
        assert_eq!(f.binary, "like");
        assert_eq!(
            f.routes,
            vec![Route {
                method: "POST".into(),
                path: "/x/{id}".into()
            }]
        );
        assert_eq!(f.grants[0].resources, vec![Resource::Table]);
        assert!(f.grants[1].actions.contains("dynamodb:Query"));
        assert_eq!(f.grants[1].resources, vec![Resource::Index("GSI1".into())]);
    }

    #[test]
    fn reads_the_bucket_and_object_grants() {
        let with_bucket = TEMPLATE.replace(
            "  LikeFunction:",
            "  Files:\n    Type: AWS::S3::Bucket\n  LikeFunction:",
        ).replace(
            "              Resource: !Sub \"${Table.Arn}/index/GSI1\"",
            "              Resource: !Sub \"${Table.Arn}/index/GSI1\"\n            - Effect: Allow\n              Action: [s3:GetObject]\n              Resource: !Sub \"${Files.Arn}/storage/*\"",
        );
        let t = Template::parse(&with_bucket).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("Files"));
        let grant = &t.functions[0].grants[2];
        assert!(grant.actions.contains("s3:GetObject"));
        assert_eq!(grant.resources, vec![Resource::Objects("storage/".into())]);
    }

    #[test]
    fn a_bucket_listing_grant_covers_its_prefix_condition() {
        let with_bucket = TEMPLATE.replace(
            "  LikeFunction:",
            "  Files:\n    Type: AWS::S3::Bucket\n  LikeFunction:",
        ).replace(
            "              Resource: !Sub \"${Table.Arn}/index/GSI1\"",
            "              Resource: !Sub \"${Table.Arn}/index/GSI1\"\n            - Effect: Allow\n              Action: [s3:ListBucket]\n              Resource: !GetAtt Files.Arn\n              Condition:\n                StringLike:\n                  s3:prefix: [\"weifchat/chunks/*\"]\n            - Effect: Allow\n              Action: [s3:ListBucket]\n              Resource: !GetAtt Files.Arn",
        );
        let t = Template::parse(&with_bucket).unwrap();
        let grants = &t.functions[0].grants;
        assert!(grants[2].actions.contains("s3:ListBucket"));
        assert_eq!(grants[2].resources, vec![Resource::Objects("weifchat/chunks/".into())]);
        assert_eq!(
            grants[3].resources,
            vec![Resource::Objects(String::new())],
            "no condition: every key"
        );
    }

    #[test]
    fn refuses_templates_it_cannot_read_faithfully() {
        let managed = TEMPLATE.replace("- Statement:", "- DynamoDBCrudPolicy:");
        assert!(Template::parse(&managed).is_err());
    }
}
