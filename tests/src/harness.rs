//! The harness: [`spawn_app`] starts the local gateway on a random port, in process, with its
//! own DynamoDB clients (so request counts are per test), against the DynamoDB and S3 API server
//! that `make test` starts (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`). The chatx,
//! nobase and weifChat tests share one table and every test one bucket, created once per run
//! from `template.yaml`, each isolating itself by its own IDs; the info tests each get a table
//! of their own ([`spawn_app_on_own_table`]). [`TestApp`]'s helpers here know no surface: raw
//! HTTP calls, WebSocket connections ([`TestApp::socket`], a [`Socket`]), the request log, and
//! reads of what is stored, by the surfaces' own keys.

use std::sync::{Arc, OnceLock};

use aws_sdk_dynamodb::types::AttributeValue;
pub use local_gateway::client::Socket;
use local_gateway::{Gateway, Template, all_functions, bucket, table, template_path};
use serde_json::Value;
use shared::config::Config;
use shared::keys::{Key, PK, SK};
use shared::store::observe::{Call, RequestLog};

use crate::faults::{FaultProxy, Faults};
use crate::proxy::{HoldOnce, Listening};
use crate::throttle::{Limit, ThrottleProxy};

struct Run {
    table: String,
    bucket: String,
    secret: String,
    template: Template,
}

/// The per-run setup: a fresh table from the template and a random token secret.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        assert!(
            std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
            "end-to-end tests need a DynamoDB API server: run them with `make test`"
        );
        let template = Template::load(template_path()).expect("template.yaml");
        let table = format!("e2e-{}", uuid::Uuid::new_v4().simple());
        let bucket = table.clone();
        let secret = format!("{:032x}{:032x}", rand::random::<u128>(), rand::random::<u128>());
        let def = without_stream(&template.table);
        let (name, bucket_name) = (table.clone(), bucket.clone());
        // The SDK client lives in its own runtime here; each test builds its own clients.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let sdk = shared::state::sdk_config().await;
                table::ensure_table(&aws_sdk_dynamodb::Client::new(&sdk), &name, &def)
                    .await
                    .expect("create table");
                let s3 = aws_sdk_s3::Client::from_conf(shared::state::s3_config(&sdk).build());
                bucket::ensure_bucket(&s3, &bucket_name).await.expect("create bucket");
            })
        })
        .join()
        .expect("table setup");
        Run {
            table,
            bucket,
            secret,
            template,
        }
    })
}

pub struct TestApp {
    pub base_url: String,
    /// The WebSocket API: `ws://127.0.0.1:PORT/ws`.
    pub ws_url: String,
    pub http: reqwest::Client,
    pub gateway: Arc<Gateway>,
    /// An unrestricted client on the same table, for assertions on what is stored.
    pub dynamo: aws_sdk_dynamodb::Client,
    pub table: String,
    pub tokens: shared::auth::Tokens,
    /// The functions' configuration (its table is `table`).
    pub config: Config,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The readers of the table's stream, if started ([`spawn_app_with_upkeep`]).
    streams: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        for reader in &self.streams {
            reader.abort();
        }
    }
}

/// The functions' configuration in the tests: rate limits off, since every test client is one
/// source address firing bursts on purpose; the rate-limit tests turn them on
/// ([`spawn_app_with_limits`]).
pub fn config() -> Config {
    let run = run();
    Config::from_lookup(|k| match k {
        "TABLE_NAME" => Some(run.table.clone()),
        "TOKEN_SECRET" => Some(run.secret.clone()),
        "STORAGE_BUCKET" => Some(run.bucket.clone()),
        "RATE_LIMITS" => Some("off".into()),
        _ => None,
    })
    .expect("test config")
}

/// Logs go to the test's captured output, so a failing test shows what the server logged.
fn init_logs() {
    static LOGS: OnceLock<()> = OnceLock::new();
    LOGS.get_or_init(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

pub async fn spawn_app() -> TestApp {
    spawn_on(config()).await
}

/// An app whose rate limits are `limits` (`RATE_LIMITS`: `name=limit/seconds,…`), each rule not
/// named keeping its default.
pub async fn spawn_app_with_limits(limits: &str) -> TestApp {
    let mut config = config();
    config.limits = shared::throttle::Limits::parse(limits).expect("limits");
    spawn_on(config).await
}

/// An app on a table of its own (same template, secret and bucket). moto snapshots a whole table
/// for every transaction on it, so a test that writes much keeps its data out of the shared
/// table; the info module's tests each use one.
pub async fn spawn_app_on_own_table() -> TestApp {
    spawn_on(own_table_config().await).await
}

/// The template's table without its stream: only the apps that read it
/// ([`spawn_app_with_upkeep`]) pay moto for keeping stream records.
fn without_stream(def: &stack::template::TableDef) -> stack::template::TableDef {
    let mut def = def.clone();
    def.stream_view_type = None;
    def
}

/// The test configuration with a new table of its own (without its stream), created.
async fn own_table_config() -> Config {
    table_config(&without_stream(&run().template.table)).await
}

/// The test configuration with a new table of its own, made as `def` says.
async fn table_config(def: &stack::template::TableDef) -> Config {
    let mut config = config();
    config.table_name = format!("e2e-own-{}", uuid::Uuid::new_v4().simple());
    let sdk = shared::state::sdk_config().await;
    table::ensure_table(&aws_sdk_dynamodb::Client::new(&sdk), &config.table_name, def)
        .await
        .expect("create table");
    config
}

/// An app whose functions reach DynamoDB through a [`FaultProxy`] injecting `faults` (once told
/// to: [`FaultProxy::start_injecting`]), on the shared table or, with `own_table`, on a table of
/// its own. The test's own client, `app.dynamo`, stays direct, so what it reads is what is stored.
pub async fn spawn_app_with_faults(faults: Faults, own_table: bool) -> (TestApp, FaultProxy) {
    let config = if own_table { own_table_config().await } else { config() };
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("a DynamoDB API server");
    let proxy = FaultProxy::start(&upstream, faults).await;
    let app = spawn_through(config, Some(&proxy.url())).await;
    (app, proxy)
}

/// An app on a table of its own whose functions reach DynamoDB through a [`ThrottleProxy`]
/// enforcing `limit` per partition key (or item). The test's own client stays direct.
pub async fn spawn_app_with_throttling(limit: Limit) -> (TestApp, ThrottleProxy) {
    let config = own_table_config().await;
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("a DynamoDB API server");
    let proxy = ThrottleProxy::start(&upstream, limit).await;
    let app = spawn_through(config, Some(&proxy.url())).await;
    (app, proxy)
}

/// An app on a table of its own (without its stream) whose functions reach DynamoDB at
/// `dynamo_endpoint` (tools/bench's metering proxy); `app.dynamo` stays direct.
pub async fn spawn_app_through(dynamo_endpoint: &str) -> TestApp {
    spawn_through(own_table_config().await, Some(dynamo_endpoint)).await
}

/// An app on a table of its own whose functions' requests of `operation` can be held, once
/// armed, until released ([`HoldOnce`]); keep the proxy for as long as the app.
pub async fn spawn_app_holding(operation: &'static str) -> (TestApp, Arc<HoldOnce>, Listening) {
    let server = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("a DynamoDB API server");
    let hold = Arc::new(HoldOnce::new(&server, operation));
    let proxy = Listening::start(hold.clone()).await;
    (spawn_app_through(&proxy.url()).await, hold, proxy)
}

/// An app on a table of its own whose functions on the table's stream (the counters' upkeep) are
/// fed its records, as in AWS: every write from the moment this returns reaches them. Only
/// these apps read a stream, so the other tests' counters are never repaired behind their back.
pub async fn spawn_app_with_upkeep() -> TestApp {
    let mut app = spawn_on(table_config(&run().template.table).await).await;
    app.streams = app.gateway.start_streams().await.expect("the table's stream");
    app
}

async fn spawn_on(config: Config) -> TestApp {
    spawn_through(config, None).await
}

/// An app whose functions' DynamoDB clients use `dynamo_endpoint`, if given.
async fn spawn_through(config: Config, dynamo_endpoint: Option<&str>) -> TestApp {
    init_logs();
    let run = run();
    let sdk = shared::state::sdk_config().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound address");
    let gateway = Gateway::with_dynamo_endpoint(&run.template, all_functions(), &config, &sdk, addr, dynamo_endpoint);
    let gateway = Arc::new(gateway.expect("gateway"));
    let server = tokio::spawn(gateway.clone().serve(listener));
    TestApp {
        base_url: gateway.url(),
        ws_url: gateway.ws_url().expect("template.yaml has a WebSocket API"),
        http: reqwest::Client::new(),
        gateway,
        dynamo: aws_sdk_dynamodb::Client::new(&sdk),
        table: config.table_name.clone(),
        tokens: shared::auth::Tokens::new(config.token_secret.expose(), config.token_ttl_secs),
        config,
        server,
        streams: Vec::new(),
    }
}

/// A unique string for this test run (account names, contents).
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

impl TestApp {
    /// Opens a WebSocket connection with `query` (`token=…`, or empty); a handshake the
    /// `$connect` function refuses answers its HTTP status. See [`Socket`] for sending and
    /// receiving frames.
    pub async fn socket(&self, query: &str) -> Result<Socket, u16> {
        let query = query.trim_start_matches('?');
        let url = match query {
            "" => self.ws_url.clone(),
            q => format!("{}?{q}", self.ws_url),
        };
        Socket::connect(&url).await
    }

    /// Sends `body` as-is to `path` with `headers` (JSON unless they name a content type);
    /// returns the HTTP status and the JSON answer.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().expect("method"), format!("{}{path}", self.base_url))
            .body(body);
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, json)
    }

    /// The DynamoDB requests function `binary` has made since the last call.
    pub fn requests(&self, binary: &str) -> Vec<String> {
        self.gateway.requests(binary).take()
    }

    pub fn request_log(&self, binary: &str) -> &RequestLog {
        self.gateway.requests(binary)
    }

    /// The DynamoDB calls (operation and items read) function `binary` has made since the last
    /// call.
    pub fn calls(&self, binary: &str) -> Vec<Call> {
        self.gateway.requests(binary).take_calls()
    }

    /// State with unrestricted clients on the test table and bucket: for setting up what only
    /// an operator can (the admin CLI's own store calls) and filling the table fast.
    pub async fn operator(&self) -> shared::AppState {
        let sdk = shared::state::sdk_config().await;
        let s3 = aws_sdk_s3::Client::from_conf(shared::state::s3_config(&sdk).build());
        shared::AppState::new(self.config.clone(), self.dynamo.clone()).with_s3(s3)
    }

    /// Writes `items` straight into the test's table with batch writes (unprocessed items sent
    /// again): for filling a table faster than through the API.
    pub async fn put_all(&self, items: Vec<shared::store::Item>) {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        for chunk in items.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder().set_item(Some(item.clone())).build().unwrap();
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            while !requests.is_empty() {
                let out = self
                    .dynamo
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .expect("batch write");
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
            }
        }
    }

    /// How many items of partition `pk` have a sort key starting with `sk_prefix` (a direct,
    /// consistent read of the table: what is really stored). Both come from the surface's
    /// `keys` module (`chatx::keys::post_partition(id)`, `chatx::keys::LIKE_PREFIX`).
    pub async fn count_items(&self, pk: &str, sk_prefix: &str) -> usize {
        let query = self
            .dynamo
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .expression_attribute_values(":pk", AttributeValue::S(pk.into()));
        let query = if sk_prefix.is_empty() {
            query.key_condition_expression(format!("{PK} = :pk"))
        } else {
            query
                .key_condition_expression(format!("{PK} = :pk AND begins_with({SK}, :sk)"))
                .expression_attribute_values(":sk", AttributeValue::S(sk_prefix.into()))
        };
        count_all(query).await
    }

    /// How many items GSI1 holds under partition `pk` (what an index query finds).
    pub async fn count_index_items(&self, pk: &str) -> usize {
        let query = self
            .dynamo
            .query()
            .table_name(&self.table)
            .index_name(shared::keys::GSI1)
            .key_condition_expression(format!("{} = :pk", shared::keys::GSI1_PK))
            .expression_attribute_values(":pk", AttributeValue::S(pk.into()));
        count_all(query).await
    }

    /// The stored item at `key` (built by its surface's `keys` module), if any.
    pub async fn item(&self, key: &Key) -> Option<std::collections::HashMap<String, AttributeValue>> {
        self.dynamo
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .consistent_read(true)
            .send()
            .await
            .expect("get")
            .item
    }
}

/// How many items `query` finds, over all its pages.
async fn count_all(query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder) -> usize {
    let mut count = 0;
    let mut start = None;
    loop {
        let out = query
            .clone()
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("query");
        count += out.items().len();
        start = out.last_evaluated_key;
        if start.is_none() {
            return count;
        }
    }
}
