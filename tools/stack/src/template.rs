//! What the local stack takes from `template.yaml`: each function's binary, HTTP API routes
//! and DynamoDB, S3 and `execute-api:ManageConnections` policy, the table definition, the
//! storage bucket and the WebSocket API (its stage and routes, each resolved route →
//! integration → function). Only the template forms this project uses are understood; anything
//! else is an error rather than a silent guess.

use std::collections::{BTreeSet, HashMap};
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
    /// The WebSocket API, if the template has one.
    pub socket: Option<SocketApi>,
}

/// The WebSocket API: an `AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`, its one
/// stage, and its routes (`AWS::ApiGatewayV2::Route` → `Integration` → function).
#[derive(Debug, Clone)]
pub struct SocketApi {
    pub logical_id: String,
    /// The stage's name (`StageName`): the path the API is served at (`wss://…/ws`).
    pub stage: String,
    /// The route selection expression; only [`SocketApi::ROUTE_SELECTION`] is understood.
    pub route_selection: String,
    pub routes: Vec<SocketRoute>,
}

impl SocketApi {
    /// The one route selection expression understood: the frame's JSON property `action`.
    pub const ROUTE_SELECTION: &'static str = "$request.body.action";

    /// The route with key `key` (`$connect`, `$default`, an action).
    pub fn route(&self, key: &str) -> Option<&SocketRoute> {
        self.routes.iter().find(|r| r.key == key)
    }
}

/// A route of the WebSocket API, resolved to the binary of its integration's function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketRoute {
    /// `$connect`, `$disconnect`, `$default` or a value of the selection expression.
    pub key: String,
    pub binary: String,
    /// A two-way route (`RouteResponseSelectionExpression: $default` and its `RouteResponse`):
    /// the function's answer is sent back to the sender.
    pub two_way: bool,
    /// Its Lambda REQUEST authorizer (`AuthorizationType: CUSTOM`; `$connect` only, as in API
    /// Gateway).
    pub authorizer: Option<SocketAuthorizer>,
}

/// A WebSocket API's Lambda REQUEST authorizer (`AWS::ApiGatewayV2::Authorizer`), resolved to
/// the binary of its function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketAuthorizer {
    pub logical_id: String,
    pub binary: String,
    /// Where the identity is (`IdentitySource`): API Gateway refuses a request without any of
    /// them (401) without invoking the authorizer.
    pub identity_source: Vec<IdentitySource>,
}

/// An `IdentitySource` of a WebSocket authorizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// `route.request.querystring.<name>`
    Query(String),
    /// `route.request.header.<name>` (names are case-insensitive)
    Header(String),
}

impl IdentitySource {
    fn parse(text: &str) -> Option<Self> {
        if let Some(name) = text.strip_prefix("route.request.querystring.") {
            return Some(Self::Query(name.to_owned()));
        }
        text.strip_prefix("route.request.header.")
            .map(|name| Self::Header(name.to_ascii_lowercase()))
    }
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    pub binary: String,
    pub routes: Vec<Route>,
    pub grants: Vec<Grant>,
    /// Its event on the table's stream, if it has one.
    pub stream: Option<StreamSource>,
}

/// A function's `DynamoDB` event on the table's stream (`Stream: !GetAtt Table.StreamArn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSource {
    /// Records per invocation at most (`BatchSize`, default 100).
    pub batch_size: usize,
    /// Its filters (`FilterCriteria`); empty: every record. A record passes if any filter lets
    /// it through.
    pub filters: Vec<KeyFilter>,
}

/// One `FilterCriteria` pattern on the record's keys, the shape understood: prefixes of
/// `dynamodb.Keys.PK.S`, and optionally exact values of `dynamodb.Keys.SK.S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFilter {
    pub pk_prefixes: Vec<String>,
    /// Empty: any sort key.
    pub sk_values: Vec<String>,
}

impl StreamSource {
    /// Whether the filters let a record of key (`pk`, `sk`) through.
    pub fn accepts(&self, pk: &str, sk: &str) -> bool {
        self.filters.is_empty()
            || self.filters.iter().any(|f| {
                f.pk_prefixes.iter().any(|p| pk.starts_with(p.as_str()))
                    && (f.sk_values.is_empty() || f.sk_values.iter().any(|v| v == sk))
            })
    }
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
    /// Connections of the template's WebSocket API stage through its Management API
    /// (`execute-api:ManageConnections` on `…:${ChatSocket}/${ChatSocketStage}/POST/@connections/*`):
    /// the HTTP method covered (`POST` to push, `GET` to read, `DELETE` to close), `*` for all.
    Connections { method: String },
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
    /// The stream's view type (`StreamSpecification`), if the table has a stream.
    pub stream_view_type: Option<String>,
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
        let mut socket = SocketResources::default();
        for (id, res) in resources {
            let id = id.as_str().ok_or_else(|| shape("resource id is not a string"))?;
            match res.get("Type").and_then(Value::as_str) {
                Some("AWS::DynamoDB::Table") => tables.push(parse_table(id, res)?),
                Some("AWS::S3::Bucket") => buckets.push(id.to_owned()),
                Some("AWS::Serverless::Function") => functions.push((id, res)),
                Some(kind) => socket.add(kind, id, res),
                None => {}
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
        let api = socket.api()?;
        let refs = Refs {
            table: &table.logical_id,
            bucket: bucket.as_deref(),
            socket: api.as_ref(),
        };
        let functions = functions
            .into_iter()
            .map(|(id, res)| parse_function(id, res, &refs))
            .collect::<Result<Vec<_>, _>>()?;
        let socket = match api {
            Some(api) => Some(socket.routes(api, &functions)?),
            None => None,
        };
        Ok(Self {
            functions,
            table,
            bucket,
            socket,
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
    let stream_view_type = props
        .get("StreamSpecification")
        .and_then(|s| s.get("StreamViewType"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(TableDef {
        logical_id: id.to_owned(),
        attributes,
        key_schema,
        indexes,
        ttl_attribute,
        stream_view_type,
    })
}

/// The logical IDs a policy's resources may name.
struct Refs<'a> {
    table: &'a str,
    bucket: Option<&'a str>,
    socket: Option<&'a SocketIds>,
}

fn parse_function(id: &str, res: &Value, refs: &Refs) -> Result<FunctionDef, TemplateError> {
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
    let mut stream = None;
    if let Some(events) = props.get("Events").and_then(Value::as_mapping) {
        for (_, event) in events {
            if event.get("Type").and_then(Value::as_str) == Some("DynamoDB") {
                stream = Some(parse_stream(id, event, refs.table)?);
                continue;
            }
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
                        .flat_map(|r| bucket_resources(st, r, refs.bucket).unwrap_or_else(|| vec![resource(r, refs)]))
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
        stream,
    })
}

/// A `DynamoDB` event: on the table's stream, with an optional filter on partition-key prefixes.
fn parse_stream(id: &str, event: &Value, table: &str) -> Result<StreamSource, TemplateError> {
    let p = event
        .get("Properties")
        .ok_or_else(|| shape(format!("{id}: DynamoDB event without Properties")))?;
    let on_table = matches!(
        p.get("Stream"),
        Some(Value::Tagged(t)) if t.tag == "!GetAtt" && t.value.as_str() == Some(&format!("{table}.StreamArn"))
    );
    if !on_table {
        return Err(shape(format!(
            "{id}: a DynamoDB event must be on `!GetAtt {table}.StreamArn`"
        )));
    }
    let batch_size = p
        .get("BatchSize")
        .and_then(Value::as_u64)
        .map_or(100, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut key_filters = Vec::new();
    let filters = p
        .get("FilterCriteria")
        .and_then(|f| f.get("Filters"))
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for filter in filters {
        let unsupported = || {
            shape(format!(
                "{id}: only filters on `dynamodb.Keys.PK.S` prefixes (and `dynamodb.Keys.SK.S` values) are understood"
            ))
        };
        let pattern: serde_json::Value = filter
            .get("Pattern")
            .and_then(Value::as_str)
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(unsupported)?;
        let keys = &pattern["dynamodb"]["Keys"];
        let prefixes = keys["PK"]["S"].as_array().ok_or_else(unsupported)?;
        let mut filter = KeyFilter {
            pk_prefixes: Vec::new(),
            sk_values: Vec::new(),
        };
        for prefix in prefixes {
            filter
                .pk_prefixes
                .push(prefix["prefix"].as_str().ok_or_else(unsupported)?.to_owned());
        }
        if let Some(values) = keys.get("SK") {
            for value in values["S"].as_array().ok_or_else(unsupported)? {
                filter
                    .sk_values
                    .push(value.as_str().ok_or_else(unsupported)?.to_owned());
            }
        }
        key_filters.push(filter);
    }
    Ok(StreamSource {
        batch_size,
        filters: key_filters,
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

fn resource(v: &Value, refs: &Refs) -> Resource {
    let (tag, inner) = match v {
        Value::Tagged(t) => (t.tag.to_string(), t.value.as_str().unwrap_or_default().to_owned()),
        other => (String::new(), other.as_str().unwrap_or_default().to_owned()),
    };
    let table_arn = format!("{}.Arn", refs.table);
    if tag == "!Sub"
        && let Some(connections) = refs.socket.and_then(|s| connections(&inner, s))
    {
        return connections;
    }
    let objects = refs.bucket.and_then(|b| {
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

/// The WebSocket API's logical ID and its stage's, and the stage's name: what a policy's
/// `execute-api` resource names.
#[derive(Debug)]
struct SocketIds {
    api: String,
    selection: String,
    stage_id: String,
    stage: String,
}

/// The `AWS::ApiGatewayV2::*` and `AWS::Lambda::Permission` resources, by logical ID.
#[derive(Default)]
struct SocketResources<'a> {
    apis: Vec<(&'a str, &'a Value)>,
    stages: Vec<(&'a str, &'a Value)>,
    integrations: HashMap<&'a str, &'a Value>,
    routes: Vec<(&'a str, &'a Value)>,
    route_responses: Vec<(&'a str, &'a Value)>,
    authorizers: HashMap<&'a str, &'a Value>,
    permissions: Vec<(&'a str, &'a Value)>,
}

impl<'a> SocketResources<'a> {
    fn add(&mut self, kind: &str, id: &'a str, res: &'a Value) {
        match kind {
            "AWS::ApiGatewayV2::Api" => self.apis.push((id, res)),
            "AWS::ApiGatewayV2::Stage" => self.stages.push((id, res)),
            "AWS::ApiGatewayV2::Integration" => {
                self.integrations.insert(id, res);
            }
            "AWS::ApiGatewayV2::Route" => self.routes.push((id, res)),
            "AWS::ApiGatewayV2::RouteResponse" => self.route_responses.push((id, res)),
            "AWS::ApiGatewayV2::Authorizer" => {
                self.authorizers.insert(id, res);
            }
            "AWS::Lambda::Permission" => self.permissions.push((id, res)),
            _ => {}
        }
    }

    /// The WebSocket API and its stage, if the template has one.
    fn api(&self) -> Result<Option<SocketIds>, TemplateError> {
        let (api, api_props) = match self.apis.as_slice() {
            [] => return Ok(None),
            [(id, res)] => (*id, props(id, res)?),
            more => {
                return Err(shape(format!(
                    "expected at most one WebSocket API, found {}",
                    more.len()
                )));
            }
        };
        if api_props.get("ProtocolType").and_then(Value::as_str) != Some("WEBSOCKET") {
            return Err(shape(format!(
                "{api}: only WebSocket APIs (ProtocolType: WEBSOCKET) are understood as AWS::ApiGatewayV2::Api; HTTP APIs are AWS::Serverless::HttpApi"
            )));
        }
        let selection = text(
            api_props.get("RouteSelectionExpression").unwrap_or(&Value::Null),
            "RouteSelectionExpression",
        )?;
        if selection != SocketApi::ROUTE_SELECTION {
            return Err(shape(format!(
                "{api}: RouteSelectionExpression {selection} is not understood locally; only {} is",
                SocketApi::ROUTE_SELECTION
            )));
        }
        let stages = self
            .stages
            .iter()
            .map(|(id, res)| Ok((*id, props(id, res)?)))
            .collect::<Result<Vec<_>, TemplateError>>()?;
        for (id, p) in &stages {
            api_of(id, p, api)?;
        }
        let (stage_id, stage) = match stages.as_slice() {
            [(id, p)] => (*id, text(p.get("StageName").unwrap_or(&Value::Null), "StageName")?),
            other => return Err(shape(format!("{api}: expected one stage, found {}", other.len()))),
        };
        Ok(Some(SocketIds {
            api: api.to_owned(),
            selection,
            stage_id: stage_id.to_owned(),
            stage,
        }))
    }

    /// The API's routes, each resolved to its integration's function.
    fn routes(&self, ids: SocketIds, functions: &[FunctionDef]) -> Result<SocketApi, TemplateError> {
        let api = ids.api.as_str();
        let mut routes = Vec::new();
        for (id, res) in &self.routes {
            let p = props(id, res)?;
            api_of(id, p, api)?;
            let key = text(p.get("RouteKey").unwrap_or(&Value::Null), "RouteKey")?;
            let integration = sub(p.get("Target"))
                .and_then(|t| t.strip_prefix("integrations/${"))
                .and_then(|t| t.strip_suffix('}'))
                .ok_or_else(|| shape(format!("{id}: Target must be !Sub \"integrations/${{<Integration>}}\"")))?;
            let function = self.integration_function(integration, api)?;
            let binary = functions
                .iter()
                .find(|f| f.logical_id == function)
                .map(|f| f.binary.clone())
                .ok_or_else(|| shape(format!("{integration}: function {function} is not in the template")))?;
            let selection = p.get("RouteResponseSelectionExpression");
            let responses = self
                .route_responses
                .iter()
                .filter(|(_, r)| r.get("Properties").and_then(|p| p.get("RouteId")).and_then(ref_of) == Some(*id))
                .map(|(rid, r)| {
                    let p = props(rid, r)?;
                    api_of(rid, p, api)?;
                    match p.get("RouteResponseKey").and_then(Value::as_str) {
                        Some("$default") => Ok(()),
                        _ => Err(shape(format!("{rid}: only RouteResponseKey $default is understood"))),
                    }
                })
                .collect::<Result<Vec<()>, _>>()?;
            let two_way = match (selection.map(|s| s.as_str()), responses.len()) {
                (None, 0) => false,
                (Some(Some("$default")), 1) => true,
                (Some(Some("$default")), _) => {
                    return Err(shape(format!(
                        "{id}: RouteResponseSelectionExpression without exactly one RouteResponse: API Gateway would send no answer"
                    )));
                }
                (Some(_), _) => {
                    return Err(shape(format!(
                        "{id}: only RouteResponseSelectionExpression $default is understood"
                    )));
                }
                (None, _) => {
                    return Err(shape(format!(
                        "{id}: a RouteResponse without RouteResponseSelectionExpression $default is never used"
                    )));
                }
            };
            if !self.invokable(function, api, &key, &ids) {
                return Err(shape(format!(
                    "{id}: no AWS::Lambda::Permission lets API Gateway invoke {function} for route {key} (FunctionName !Ref {function}, Principal apigateway.amazonaws.com, SourceArn …${{{api}}}/*/{key})"
                )));
            }
            if routes.iter().any(|r: &SocketRoute| r.key == key) {
                return Err(shape(format!("{api}: route {key} is declared twice")));
            }
            let authorizer = match p.get("AuthorizationType").and_then(Value::as_str) {
                None | Some("NONE") => None,
                Some("CUSTOM") if key == "$connect" => {
                    let authorizer = p.get("AuthorizerId").and_then(ref_of).ok_or_else(|| {
                        shape(format!(
                            "{id}: AuthorizationType CUSTOM needs AuthorizerId: !Ref <Authorizer>"
                        ))
                    })?;
                    Some(self.authorizer(authorizer, functions, &ids)?)
                }
                Some("CUSTOM") => {
                    return Err(shape(format!(
                        "{id}: API Gateway authorizes WebSocket connections on $connect only, not on {key}"
                    )));
                }
                Some(other) => {
                    return Err(shape(format!(
                        "{id}: AuthorizationType {other} is not understood locally; only NONE and CUSTOM are"
                    )));
                }
            };
            routes.push(SocketRoute {
                key,
                binary,
                two_way,
                authorizer,
            });
        }
        Ok(SocketApi {
            logical_id: ids.api,
            stage: ids.stage,
            route_selection: ids.selection,
            routes,
        })
    }

    /// A Lambda REQUEST authorizer of the API, resolved to its function, which API Gateway must
    /// be allowed to invoke (a permission with `SourceArn …${Api}/authorizers/*`).
    fn authorizer(
        &self,
        id: &str,
        functions: &[FunctionDef],
        ids: &SocketIds,
    ) -> Result<SocketAuthorizer, TemplateError> {
        let api = ids.api.as_str();
        let res = self
            .authorizers
            .get(id)
            .ok_or_else(|| shape(format!("authorizer {id} is not in the template")))?;
        let p = props(id, res)?;
        api_of(id, p, api)?;
        if p.get("AuthorizerType").and_then(Value::as_str) != Some("REQUEST") {
            return Err(shape(format!("{id}: only AuthorizerType REQUEST is understood")));
        }
        let identity_source = list(p.get("IdentitySource"), "IdentitySource")?
            .iter()
            .map(|v| {
                v.as_str().and_then(IdentitySource::parse).ok_or_else(|| {
                    let v = v.as_str().unwrap_or("(not a string)");
                    shape(format!(
                        "{id}: IdentitySource {v} is not understood; route.request.querystring.<name> and route.request.header.<name> are"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let function = lambda_function(p.get("AuthorizerUri")).ok_or_else(|| {
            shape(format!(
                "{id}: AuthorizerUri must be !Sub \"…/functions/${{<Function>.Arn}}/invocations\""
            ))
        })?;
        let binary = functions
            .iter()
            .find(|f| f.logical_id == function)
            .map(|f| f.binary.clone())
            .ok_or_else(|| shape(format!("{id}: function {function} is not in the template")))?;
        if !self.invokable(function, api, &format!("authorizers/{id}"), ids) {
            return Err(shape(format!(
                "{id}: no AWS::Lambda::Permission lets API Gateway invoke {function} as an authorizer (FunctionName !Ref {function}, Principal apigateway.amazonaws.com, SourceArn …${{{api}}}/authorizers/*)"
            )));
        }
        Ok(SocketAuthorizer {
            logical_id: id.to_owned(),
            binary,
            identity_source,
        })
    }

    /// The function an `AWS_PROXY` integration invokes.
    fn integration_function(&self, integration: &str, api: &str) -> Result<&'a str, TemplateError> {
        let res = self
            .integrations
            .get(integration)
            .ok_or_else(|| shape(format!("integration {integration} is not in the template")))?;
        let p = props(integration, res)?;
        api_of(integration, p, api)?;
        if p.get("IntegrationType").and_then(Value::as_str) != Some("AWS_PROXY") {
            return Err(shape(format!(
                "{integration}: only IntegrationType AWS_PROXY is understood"
            )));
        }
        lambda_function(p.get("IntegrationUri")).ok_or_else(|| {
            shape(format!(
                "{integration}: IntegrationUri must be !Sub \"…/functions/${{<Function>.Arn}}/invocations\""
            ))
        })
    }

    /// Whether a permission lets API Gateway invoke `function` for route `key` of the API, or as
    /// its authorizer `X` when `key` is `authorizers/X` (`SourceArn …${Api}/authorizers/*` or
    /// `…/authorizers/${X}`).
    fn invokable(&self, function: &str, api: &str, key: &str, ids: &SocketIds) -> bool {
        if let Some(authorizer) = key.strip_prefix("authorizers/") {
            return self.permissions.iter().any(|(_, res)| {
                let Some(p) = res.get("Properties") else { return false };
                let source = sub(p.get("SourceArn"))
                    .and_then(|arn| arn.split_once(&format!("${{{api}}}/authorizers/")))
                    .is_some_and(|(_, rest)| rest == "*" || rest == format!("${{{authorizer}}}"));
                names_function(p, function) && source && from_api_gateway(p)
            });
        }
        self.permissions.iter().any(|(_, res)| {
            let Some(p) = res.get("Properties") else { return false };
            let source = sub(p.get("SourceArn"))
                .and_then(|arn| arn.split_once(&format!("${{{api}}}/"))?.1.split_once('/'))
                .is_some_and(|(stage, route)| {
                    let stage_ok = stage == "*" || stage == ids.stage || stage == format!("${{{}}}", ids.stage_id);
                    stage_ok && (route == "*" || route == key)
                });
            names_function(p, function) && source && from_api_gateway(p)
        })
    }
}

/// Whether a permission's `FunctionName` is `function` (`!Ref` or `!GetAtt ….Arn`).
fn names_function(p: &Value, function: &str) -> bool {
    match p.get("FunctionName") {
        Some(v @ Value::Tagged(t)) if t.tag == "!Ref" => ref_of(v) == Some(function),
        Some(Value::Tagged(t)) if t.tag == "!GetAtt" => t.value.as_str() == Some(&format!("{function}.Arn")),
        _ => false,
    }
}

/// Whether a permission lets API Gateway invoke its function.
fn from_api_gateway(p: &Value) -> bool {
    p.get("Action").and_then(Value::as_str) == Some("lambda:InvokeFunction")
        && p.get("Principal").and_then(Value::as_str) == Some("apigateway.amazonaws.com")
}

/// The function a Lambda invocation URI names: `!Sub "…/functions/${<Function>.Arn}/invocations"`.
fn lambda_function(uri: Option<&Value>) -> Option<&str> {
    sub(uri)
        .and_then(|uri| uri.split_once("/functions/${")?.1.split_once(".Arn}/invocations"))
        .map(|(function, _)| function)
}

fn props<'v>(id: &str, res: &'v Value) -> Result<&'v Value, TemplateError> {
    res.get("Properties")
        .ok_or_else(|| shape(format!("{id}: no Properties")))
}

/// The logical ID `v` refers to (`!Ref X`).
fn ref_of(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "!Ref" => t.value.as_str(),
        _ => None,
    }
}

/// The text of a `!Sub "…"`.
fn sub(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::Tagged(t) if t.tag == "!Sub" => t.value.as_str(),
        _ => None,
    }
}

/// Checks that resource `id` belongs to the WebSocket API (`ApiId: !Ref <api>`).
fn api_of(id: &str, props: &Value, api: &str) -> Result<(), TemplateError> {
    match props.get("ApiId").and_then(ref_of) {
        Some(a) if a == api => Ok(()),
        _ => Err(shape(format!("{id}: ApiId must be !Ref {api}"))),
    }
}

/// An `execute-api` resource on the WebSocket API's connections, from the text of its `!Sub`:
/// `arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/<stage>/<METHOD>/@connections/*`
/// (`<stage>` the stage's `${Ref}`, its name or `*`; `${Api}/*` and `${Api}/<stage>/*` cover
/// every method). `None` for anything else, including another stage.
fn connections(inner: &str, socket: &SocketIds) -> Option<Resource> {
    let rest = inner
        .strip_prefix("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:")?
        .strip_prefix(&format!("${{{}}}/", socket.api))?;
    let mut parts = rest.splitn(3, '/');
    let stage = parts.next()?;
    let method = parts.next().unwrap_or("*");
    let path = parts.next().unwrap_or("*");
    let stage_ok = stage == "*" || stage == socket.stage || stage == format!("${{{}}}", socket.stage_id);
    let method_ok = matches!(method, "*" | "POST" | "GET" | "DELETE");
    let path_ok = matches!(path, "*" | "@connections/*");
    (stage_ok && method_ok && path_ok).then(|| Resource::Connections {
        method: method.to_owned(),
    })
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
    fn reads_a_stream_event_and_its_partition_filter() {
        let t = Template::load(crate::template_path()).unwrap();
        assert_eq!(t.table.stream_view_type.as_deref(), Some("KEYS_ONLY"));
        let upkeep = t.functions.iter().find(|f| f.binary == "upkeep-counters").unwrap();
        let source = upkeep.stream.as_ref().expect("a stream event");
        assert_eq!(source.batch_size, 100);
        assert!(source.accepts("CHATX#POST#p1", "#POST") && source.accepts("INFO#COMMENTS#INFO#000000000001#ALL", "x"));
        assert!(!source.accepts("CHATX#USER#u1", "#POST") && !source.accepts("RATE#x", "#POST"));
        let copies = t.functions.iter().find(|f| f.binary == "weif-profile-copies").unwrap();
        let source = copies.stream.as_ref().expect("a stream event");
        assert!(source.accepts("WEIF#USER#u1", "PROFILE"));
        assert!(!source.accepts("WEIF#USER#u1", "FRIEND#u2") && !source.accepts("WEIF#GROUP#g", "PROFILE"));

        let event = "      Events:\n        S:\n          Type: DynamoDB\n          Properties:\n            Stream: !GetAtt Table.StreamArn\n            FilterCriteria:\n              Filters:\n                - Pattern: PATTERN\n        Api:";
        let with =
            |pattern: &str| TEMPLATE.replacen("      Events:\n        Api:", &event.replace("PATTERN", pattern), 1);
        let t = Template::parse(&with(r#"'{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"X#"}]}}}}'"#)).unwrap();
        let filters = &t.functions[0].stream.as_ref().unwrap().filters;
        assert_eq!(
            (filters[0].pk_prefixes.as_slice(), filters[0].sk_values.len()),
            (&["X#".to_owned()][..], 0)
        );
        let t = Template::parse(&with(
            r#"'{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"X#"}]},"SK":{"S":["A","B"]}}}}'"#,
        ))
        .unwrap();
        let source = t.functions[0].stream.as_ref().unwrap();
        assert!(source.accepts("X#1", "B") && !source.accepts("X#1", "C") && !source.accepts("Y#1", "A"));
        let err = Template::parse(&with(r#"'{"eventName":["INSERT"]}'"#)).unwrap_err();
        assert!(err.to_string().contains("only filters on"), "{err}");
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

    /// [`TEMPLATE`] with a WebSocket API: `$connect` (one-way) and `echo` (two-way) on the
    /// function `Echo`, which may push.
    fn socket_template() -> String {
        let socket = r#"
  Echo:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties: {Binary: echo}
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: [execute-api:ManageConnections]
              Resource: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Chat}/${ChatStage}/POST/@connections/*"
            - Effect: Allow
              Action: [execute-api:ManageConnections]
              Resource: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Chat}/*"
            - Effect: Allow
              Action: [execute-api:ManageConnections]
              Resource: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Chat}/prod/POST/@connections/*"
  Chat:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  ChatStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Chat, StageName: ws}
  EchoIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Chat
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations"
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: $connect
      Target: !Sub "integrations/${EchoIntegration}"
  EchoRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: echo
      Target: !Sub "integrations/${EchoIntegration}"
      RouteResponseSelectionExpression: $default
  EchoRouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref Chat, RouteId: !Ref EchoRoute, RouteResponseKey: $default}
  EchoPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Echo
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Chat}/*/*"
"#;
        format!("{TEMPLATE}{socket}")
    }

    #[test]
    fn reads_the_websocket_api_its_routes_and_connection_grants() {
        let t = Template::parse(&socket_template()).unwrap();
        let socket = t.socket.as_ref().unwrap();
        assert_eq!(socket.stage, "ws");
        assert_eq!(socket.route_selection, "$request.body.action");
        assert_eq!(
            socket.routes,
            vec![
                SocketRoute {
                    key: "$connect".into(),
                    binary: "echo".into(),
                    two_way: false,
                    authorizer: None,
                },
                SocketRoute {
                    key: "echo".into(),
                    binary: "echo".into(),
                    two_way: true,
                    authorizer: None,
                },
            ]
        );
        let echo = t.functions.iter().find(|f| f.binary == "echo").unwrap();
        assert!(echo.grants[0].actions.contains("execute-api:ManageConnections"));
        assert_eq!(
            echo.grants[0].resources,
            vec![Resource::Connections { method: "POST".into() }]
        );
        assert_eq!(
            echo.grants[1].resources,
            vec![Resource::Connections { method: "*".into() }]
        );
        assert!(
            matches!(echo.grants[2].resources[0], Resource::Other(_)),
            "a stage the template doesn't have grants nothing"
        );
        assert!(echo.routes.is_empty(), "socket routes are not HTTP routes");
    }

    #[test]
    fn refuses_websocket_forms_it_cannot_serve_faithfully() {
        let refused = |from: &str, to: &str, expected: &str| {
            let text = socket_template().replacen(from, to, 1);
            assert_ne!(text, socket_template(), "{from}: nothing replaced");
            let err = Template::parse(&text).expect_err(expected).to_string();
            assert!(err.contains(expected), "{err}");
        };
        refused(
            "$request.body.action",
            "$request.body.type",
            "RouteSelectionExpression $request.body.type is not understood",
        );
        refused(
            "    Properties: {ApiId: !Ref Chat, RouteId: !Ref EchoRoute, RouteResponseKey: $default}",
            "    Properties: {ApiId: !Ref Chat, RouteId: !Ref ConnectRoute, RouteResponseKey: $default}",
            "ConnectRoute: a RouteResponse without RouteResponseSelectionExpression",
        );
        refused(
            "${Chat}/*/*",
            "${Chat}/*/$connect",
            "no AWS::Lambda::Permission lets API Gateway invoke Echo for route echo",
        );
        refused(
            "${Echo.Arn}/invocations",
            "${Missing.Arn}/invocations",
            "function Missing is not in the template",
        );
        refused(
            "RouteKey: echo",
            "RouteKey: $connect",
            "route $connect is declared twice",
        );
        refused("ProtocolType: WEBSOCKET", "ProtocolType: HTTP", "only WebSocket APIs");
    }

    /// [`socket_template`] with a REQUEST authorizer (function `Auth`) on `$connect`.
    fn authorized_template() -> String {
        let authorizer = r#"
  Auth:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties: {Binary: auth}
    Properties: {}
  ChatAuthorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Chat
      Name: auth
      AuthorizerType: REQUEST
      IdentitySource: [route.request.querystring.token, route.request.header.X-Key]
      AuthorizerUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations"
  AuthPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Auth
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Chat}/authorizers/*"
"#;
        let connect = "      RouteKey: $connect\n";
        let text = socket_template().replacen(
            connect,
            &format!("{connect}      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref ChatAuthorizer\n"),
            1,
        );
        format!("{text}{authorizer}")
    }

    #[test]
    fn reads_the_connect_routes_authorizer() {
        let t = Template::parse(&authorized_template()).unwrap();
        let socket = t.socket.unwrap();
        assert_eq!(
            socket.route("$connect").unwrap().authorizer,
            Some(SocketAuthorizer {
                logical_id: "ChatAuthorizer".into(),
                binary: "auth".into(),
                identity_source: vec![
                    IdentitySource::Query("token".into()),
                    IdentitySource::Header("x-key".into())
                ],
            })
        );
        assert_eq!(socket.route("echo").unwrap().authorizer, None);
        assert!(t.functions.iter().any(|f| f.binary == "auth" && f.grants.is_empty()));
    }

    #[test]
    fn refuses_authorizers_it_cannot_serve_faithfully() {
        let refused = |from: &str, to: &str, expected: &str| {
            let text = authorized_template().replacen(from, to, 1);
            assert_ne!(text, authorized_template(), "{from}: nothing replaced");
            let err = Template::parse(&text).expect_err(expected).to_string();
            assert!(err.contains(expected), "{err}");
        };
        refused("${Chat}/authorizers/*", "${Chat}/*/$connect", "as an authorizer");
        refused(
            "AuthorizerType: REQUEST",
            "AuthorizerType: JWT",
            "only AuthorizerType REQUEST",
        );
        refused(
            "route.request.querystring.token",
            "route.request.body.token",
            "IdentitySource route.request.body.token is not understood",
        );
        refused(
            "AuthorizationType: CUSTOM",
            "AuthorizationType: AWS_IAM",
            "AuthorizationType AWS_IAM",
        );
        refused(
            "!Ref ChatAuthorizer",
            "!Ref Nothing",
            "authorizer Nothing is not in the template",
        );
        let on_echo = authorized_template()
            .replacen(
                "      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref ChatAuthorizer\n",
                "",
                1,
            )
            .replacen(
                "      RouteKey: echo\n",
                "      RouteKey: echo\n      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref ChatAuthorizer\n",
                1,
            );
        let err = Template::parse(&on_echo).unwrap_err().to_string();
        assert!(err.contains("on $connect only"), "{err}");
    }

    #[test]
    fn reads_the_project_templates_websocket_api() {
        let t = Template::load(crate::template_path()).unwrap();
        let socket = t.socket.as_ref().expect("template.yaml has a WebSocket API");
        assert_eq!(socket.stage, "ws");
        assert_eq!(socket.routes.len(), 11);
        assert!(!socket.route("$connect").unwrap().two_way);
        let authorizer = socket.route("$connect").unwrap().authorizer.as_ref();
        assert_eq!(authorizer.map(|a| a.binary.as_str()), Some("weif-socket-authorize"));
        assert_eq!(
            authorizer.unwrap().identity_source,
            [IdentitySource::Query("token".into())]
        );
        assert!(socket.route("$default").unwrap().two_way);
        assert_eq!(socket.route("private_chat").unwrap().binary, "weif-socket-private-chat");
        let pushes = |binary: &str| {
            t.functions
                .iter()
                .find(|f| f.binary == binary)
                .unwrap()
                .grants
                .iter()
                .flat_map(|g| &g.resources)
                .any(|r| *r == Resource::Connections { method: "POST".into() })
        };
        assert!(pushes("weif-socket-private-chat"));
        assert!(!pushes("weif-socket-login"));
    }
}
