//! `coldstart`: cold start, memory and size of one function per class and two probes, in one run.
//!
//! ```text
//! cargo build --release -p coldstart
//! cargo build --release -p coldstart-probes -p chatx -p nobase -p info -p weifchat -p upkeep \
//!   --bin probe-hello --bin probe-put --bin chatx-moments-like --bin chatx-account-login --bin chatx-moments-post-list \
//!   --bin nobase-bbs-post-like --bin info-like --bin weif-space-get \
//!   --bin weif-socket-private-chat --bin info-storage-create --bin upkeep-counters
//! target/release/coldstart --out cold.md [--runs 9]
//! ```
//!
//! Needs a DynamoDB/S3 API server (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`, as
//! `scripts/lib.sh`'s `start_moto` sets). It seeds what the events need through the functions
//! themselves (the end-to-end helpers against the in-process local gateway), then runs each
//! binary (found beside this one) under the local Runtime API with its template environment.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Parser;
use coldstart::report::{self, Row};
use coldstart::{env, measure};
use e2e::serde_json::{Value, json};

/// The binaries this tool runs, each built with `cargo build --release` (see `--build`).
const BINARIES: &[&str] = &[
    "probe-hello",
    "probe-put",
    "chatx-moments-like",
    "chatx-account-login",
    "chatx-moments-post-list",
    "nobase-bbs-post-like",
    "info-like",
    "weif-space-get",
    "weif-socket-private-chat",
    "info-storage-create",
    "upkeep-counters",
];

#[derive(Parser)]
#[command(
    about = "Cold start (init, first invoke, warm), peak RSS and stripped size of one function per class \
and two probes under a local Lambda Runtime API. Runs these release binaries, found beside itself \
(or in --bin-dir): probe-hello, probe-put, chatx-moments-like, chatx-account-login, \
chatx-moments-post-list, nobase-bbs-post-like, info-like, weif-space-get, weif-socket-private-chat, \
info-storage-create, upkeep-counters. Needs AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3."
)]
struct Args {
    /// Where to write the markdown section (`## Cold start`).
    #[arg(long)]
    out: PathBuf,
    /// Cold starts per function; the table gives medians.
    #[arg(long, default_value_t = 9)]
    runs: usize,
    /// Invocations per cold start (the first and the warm ones); even, since the likes
    /// alternate like and cancel.
    #[arg(long, default_value_t = 10)]
    calls: usize,
    /// Where the binaries are (default: this executable's directory).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// The stack's template (read at run time: a binary built in another checkout of the
    /// workspace must still read this one's).
    #[arg(long, default_value = "template.yaml")]
    template: PathBuf,
    /// First run `cargo build --release -p coldstart-probes -p chatx … --bin …` of the binaries
    /// it runs (in the current directory's workspace; the tool itself is `-p coldstart`).
    #[arg(long)]
    build: bool,
    /// How the functions reach the store: over plain HTTP, over TLS (a local TLS endpoint in
    /// front of the API server), or both, one table each.
    #[arg(long, value_enum, default_value_t = Store::Both)]
    store: Store,
    /// Leave these variables out of every function's environment (e.g. to measure without one).
    #[arg(long)]
    unset: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Store {
    Plain,
    Tls,
    Both,
}

/// One measured function: a row name, its binary, its template logical ID and its events.
struct Subject {
    name: &'static str,
    binary: &'static str,
    events: Vec<Value>,
    check: Check,
}

#[derive(Clone, Copy)]
enum Check {
    /// An HTTP answer with status 2xx whose body passes the surface's own success test.
    Http(fn(&Value) -> bool),
    /// A stream batch with no failed records.
    Stream,
}

impl Check {
    fn ok(self, body: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(body);
        let answer: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e}): {text}"))?;
        let fine = match self {
            Check::Http(body_ok) => {
                let status = answer["statusCode"].as_u64().unwrap_or(0);
                let inner = match answer["body"].as_str() {
                    Some(b) => serde_json::from_str(b).unwrap_or(Value::Null),
                    None => Value::Null,
                };
                (200..300).contains(&status) && body_ok(&inner)
            }
            Check::Stream => answer["batchItemFailures"].as_array().is_some_and(Vec::is_empty),
        };
        if fine {
            Ok(())
        } else {
            Err(format!("unexpected answer: {text}"))
        }
    }
}

/// An HTTP API (payload 2.0) event, as API Gateway sends it.
fn http_event(method: &str, path: &str, query: &str, headers: &[(&str, &str)], body: Option<String>) -> Value {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), Value::String((*v).to_owned())))
        .collect();
    let route = format!("{method} {path}");
    json!({
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "local", "domainName": "localhost", "domainPrefix": "local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "coldstart"},
            "requestId": uuid::Uuid::new_v4().to_string(), "routeKey": route, "stage": "$default",
            "timeEpoch": shared::clock::now_ms(),
        },
        "body": body,
        "isBase64Encoded": false,
    })
}

fn any(_: &Value) -> bool {
    true
}

/// Seeds what every subject's events need, through the functions (the local gateway, in
/// process), and returns the subjects with the sessions that must stay open while they run.
async fn subjects(app: &e2e::TestApp, calls: usize) -> (Vec<Subject>, Vec<e2e::Socket>) {
    let repeat = |e: Value| vec![e; calls];
    let chatx_ok = |v: &Value| v["errCode"] == 0;
    let weif_ok = |v: &Value| v["status"] == 200;
    let chatx_call = |path: &str, token: &str, body: Value| {
        let op = e2e::unique("op-");
        http_event(
            "POST",
            path,
            "",
            &[
                ("content-type", "application/json"),
                ("operationID", &op),
                ("token", token),
            ],
            Some(body.to_string()),
        )
    };

    let author = app.register().await;
    let post = app.add_post(&author, "a post to like").await;
    let likes = (0..calls)
        .map(|i| {
            chatx_call(
                "/chatx/moments/like",
                &author.token,
                json!({"postID": post, "cancel": i % 2 == 1}),
            )
        })
        .collect();
    let login = chatx_call(
        "/chatx/account/login",
        "",
        json!({"account": author.account, "password": author.password}),
    );
    let list = chatx_call("/chatx/moments/post/list", &author.token, json!({}));

    let world = e2e::nobase::World::new(app).await;
    let member = world.member(app).await;
    let nobase_likes = (0..calls)
        .map(|i| {
            let body = e2e::nobase::encode(&world.like_params(&member, if i % 2 == 0 { "1" } else { "2" }));
            http_event(
                "POST",
                e2e::nobase::POST_LIKE,
                "",
                &[("content-type", "application/x-www-form-urlencoded")],
                Some(body),
            )
        })
        .collect();

    let admin = app.info_admin().await;
    let category = app.category(&admin).await;
    let info = app.publish(&admin, category, json!({})).await;
    let info_path = format!("/api/v2/infos/{}/like", info["id"]);
    let bearer = format!("Bearer {}", admin.token);
    let mut info_like = http_event("PUT", &info_path, "", &[("authorization", &bearer)], None);
    // API Gateway names the route by its template and passes the path's parameters.
    let route = "PUT /api/v2/infos/{id}/like";
    info_like["routeKey"] = json!(route);
    info_like["requestContext"]["routeKey"] = json!(route);
    info_like["pathParameters"] = json!({"id": info["id"].to_string()});
    let upload = http_event(
        "POST",
        "/api/v2/storage",
        "",
        &[("authorization", &bearer), ("content-type", "application/json")],
        Some(
            json!({"filename": "file", "hash": e2e::info::md5_hex(b"png"), "size": 3, "mime_type": "image/png", "storage": {"channel": "public"}})
                .to_string(),
        ),
    );

    let (me, friend, _) = app.weif_people().await;
    for i in 0..3 {
        app.weif_post_ok(
            "/space/add",
            &friend.token,
            json!({"userId": friend.id, "textDesc": format!("moment {i}"), "photos": "[\"/1700935073298-a.jpg\"]"}),
        )
        .await;
    }
    let weif_bearer = format!("Bearer {}", me.token);
    let space = http_event(
        "GET",
        "/space/get",
        &format!("userId={}", me.id),
        &[("authorization", &weif_bearer)],
        None,
    );
    let (socket, connection) = app.weif_connect(&me).await;
    let frames: Vec<Value> = (0..calls)
        .map(|i| {
            let body = json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": format!("hi {i}")}, "fId": friend.id}});
            let now = shared::clock::now_ms();
            json!({
                "requestContext": {
                    "routeKey": "private_chat", "eventType": "MESSAGE", "extendedRequestId": uuid::Uuid::new_v4().to_string(),
                    "messageDirection": "IN", "stage": "ws", "connectedAt": now, "requestTimeEpoch": now,
                    "identity": {"sourceIp": "127.0.0.1", "userAgent": "coldstart"},
                    "requestId": uuid::Uuid::new_v4().to_string(), "domainName": "localhost",
                    "connectionId": connection, "apiId": "local", "messageId": uuid::Uuid::new_v4().to_string(),
                    // What the $connect authorizer answered, as API Gateway hands it to every frame.
                    "authorizer": {"principalId": me.id, "userId": me.id},
                },
                "body": body.to_string(),
                "isBase64Encoded": false,
            })
        })
        .collect();

    let key = chatx::keys::post(&post);
    let stream = json!({"Records": [{
        "eventID": "1", "eventName": "MODIFY", "eventSource": "aws:dynamodb", "eventVersion": "1.1", "awsRegion": "us-east-1",
        "dynamodb": {"Keys": {"PK": {"S": key.pk}, "SK": {"S": key.sk}}, "SequenceNumber": "1", "SizeBytes": 100, "StreamViewType": "KEYS_ONLY"},
    }]});

    let hello = http_event("GET", "/hello", "", &[], None);
    let subjects = vec![
        Subject {
            name: "hello-world `lambda_http` probe",
            binary: "probe-hello",
            events: repeat(hello.clone()),
            check: Check::Http(any),
        },
        Subject {
            name: "one-PutItem probe",
            binary: "probe-put",
            events: repeat(hello),
            check: Check::Http(any),
        },
        Subject {
            name: "chatx like",
            binary: "chatx-moments-like",
            events: likes,
            check: Check::Http(chatx_ok),
        },
        Subject {
            name: "chatx login (argon2id)",
            binary: "chatx-account-login",
            events: repeat(login),
            check: Check::Http(chatx_ok),
        },
        Subject {
            name: "chatx post list",
            binary: "chatx-moments-post-list",
            events: repeat(list),
            check: Check::Http(chatx_ok),
        },
        Subject {
            name: "nobase like",
            binary: "nobase-bbs-post-like",
            events: nobase_likes,
            check: Check::Http(|v| v["code"] == 200),
        },
        Subject {
            name: "info like",
            binary: "info-like",
            events: repeat(info_like),
            check: Check::Http(any),
        },
        Subject {
            name: "weifChat space get (feed)",
            binary: "weif-space-get",
            events: repeat(space),
            check: Check::Http(weif_ok),
        },
        Subject {
            name: "weifChat socket message",
            binary: "weif-socket-private-chat",
            events: frames,
            check: Check::Http(any),
        },
        Subject {
            name: "upload issue (S3)",
            binary: "info-storage-create",
            events: repeat(upload),
            check: Check::Http(any),
        },
        Subject {
            name: "upkeep-counters (stream)",
            binary: "upkeep-counters",
            events: repeat(stream),
            check: Check::Stream,
        },
    ];
    (subjects, vec![socket])
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coldstart: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    // The likes alternate like and cancel, so that every run starts from the same state.
    if args.runs == 0 || args.calls < 2 || args.calls % 2 == 1 {
        return Err("--runs must be at least 1 and --calls even and at least 2".into());
    }
    for var in ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"] {
        std::env::var(var).map_err(|_| format!("{var} must point at the DynamoDB/S3 API server"))?;
    }
    if args.build {
        build()?;
    }
    let bin_dir = match args.bin_dir.clone() {
        Some(d) => d,
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .parent()
            .ok_or("no executable directory")?
            .to_owned(),
    };
    for b in BINARIES {
        if !bin_dir.join(b).is_file() {
            return Err(format!(
                "{} is missing: build it (see --help)",
                bin_dir.join(b).display()
            ));
        }
    }
    let template_path = args.template.clone();
    let template_text =
        std::fs::read_to_string(&template_path).map_err(|e| format!("{}: {e}", template_path.display()))?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&template_text).map_err(|e| e.to_string())?;
    let template = stack::Template::parse(&template_text).map_err(|e| e.to_string())?;

    let app = e2e::spawn_app().await;
    let probe_table = format!("coldstart-probe-{}", uuid::Uuid::new_v4().simple());
    let sdk = shared::state::sdk_config().await;
    stack::table::ensure_table(&aws_sdk_dynamodb::Client::new(&sdk), &probe_table, &template.table)
        .await
        .map_err(|e| format!("probe table: {e}"))?;
    let (subjects, _sessions) = subjects(&app, args.calls).await;

    let resources = BTreeMap::from([
        ("Table".to_owned(), app.config.table_name.clone()),
        (
            "StorageBucket".to_owned(),
            app.config.storage_bucket.clone().unwrap_or_default(),
        ),
        ("AWS::StackName".to_owned(), "coldstart".to_owned()),
    ]);
    let stage = template.socket.as_ref().map_or("ws".to_owned(), |s| s.stage.clone());
    let mut overrides = BTreeMap::from([
        (
            "TOKEN_SECRET".to_owned(),
            String::from_utf8_lossy(app.config.token_secret.expose()).into_owned(),
        ),
        // Every event comes from one address in a burst, as in the tests.
        ("RATE_LIMITS".to_owned(), "off".to_owned()),
        ("SOCKET_ENDPOINT".to_owned(), format!("{}/{stage}", app.base_url)),
    ]);
    for var in [
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_S3",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        if let Ok(v) = std::env::var(var) {
            overrides.insert(var.to_owned(), v);
        }
    }
    overrides
        .entry("AWS_REGION".into())
        .or_insert_with(|| "us-east-1".into());
    overrides
        .entry("AWS_ACCESS_KEY_ID".into())
        .or_insert_with(|| "testing".into());
    overrides
        .entry("AWS_SECRET_ACCESS_KEY".into())
        .or_insert_with(|| "testing".into());
    let logs = std::env::temp_dir().join(format!("coldstart-{}", std::process::id()));
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let ctx = Context {
        args: &args,
        bin_dir: &bin_dir,
        yaml: &yaml,
        template: &template,
        resources: &resources,
        probe_table: &probe_table,
        logs: &logs,
    };

    let mut tables = Vec::new();
    if args.store != Store::Tls {
        let rows = measure_all(&ctx, &subjects, &overrides).await?;
        tables.push(("Store over plain HTTP (loopback)".to_owned(), rows));
    }
    if args.store != Store::Plain {
        let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
        let upstream = coldstart::tls::host_port(&upstream).ok_or_else(|| {
            format!("AWS_ENDPOINT_URL_DYNAMODB must be http://host:port for --store tls, not {upstream}")
        })?;
        let proxy = coldstart::tls::TlsProxy::start(upstream, &logs.join("localhost.pem")).await?;
        let mut over_tls = overrides.clone();
        over_tls.insert("AWS_ENDPOINT_URL_DYNAMODB".into(), proxy.url());
        over_tls.insert("AWS_ENDPOINT_URL_S3".into(), proxy.url());
        over_tls.insert("SSL_CERT_FILE".into(), proxy.cert_file().display().to_string());
        let rows = measure_all(&ctx, &subjects, &over_tls).await?;
        tables.push(("Store over TLS (a local TLS endpoint in front of it)".to_owned(), rows));
    }
    let mut rendered = Vec::new();
    for (title, rows) in &tables {
        let put = rows.iter().find(|r| r.binary == "probe-put").ok_or("no probe row")?;
        rendered.push((title.clone(), report::table(rows, put)));
    }
    let notes = vec![
        format!(
            "`coldstart --runs {} --calls {}`: each function is started {} times as a child process under a local Lambda Runtime API \
             (tools/coldstart), with its environment from template.yaml; medians of the runs. Release builds (strip, codegen-units = 1, panic = abort).",
            args.runs, args.calls, args.runs
        ),
        "init: spawn → the function's first `next` poll (includes the store warm-up request where the function makes one); \
         first invoke: event handed out → answer; warm: the median of the invocations after the first; total cold = init + first invoke."
            .into(),
        format!(
            "peak RSS: `VmHWM` after the first call → after call {}; size: the stripped binary. Ratios are to the one-PutItem probe \
             (same SDK versions and client configuration, no telemetry, no warm-up).",
            args.calls
        ),
        "The store is the DynamoDB/S3 API server over loopback (moto), so the absolute times are this machine's; the ratios and \
         the memory and size columns carry over."
            .into(),
    ];
    let section = report::section(&notes, &rendered);
    std::fs::write(&args.out, section).map_err(|e| format!("{}: {e}", args.out.display()))?;
    Ok(())
}

/// What every measurement shares.
struct Context<'a> {
    args: &'a Args,
    bin_dir: &'a std::path::Path,
    yaml: &'a serde_yaml::Value,
    template: &'a stack::Template,
    resources: &'a BTreeMap<String, String>,
    probe_table: &'a str,
    logs: &'a std::path::Path,
}

/// Every subject, `--runs` cold starts each, with `overrides` over the template's environment.
async fn measure_all(
    ctx: &Context<'_>,
    subjects: &[Subject],
    overrides: &BTreeMap<String, String>,
) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for subject in subjects {
        let mut env = lambda_env(subject.binary);
        env.extend(overrides.clone());
        let resolve = env::Resolve {
            resources: ctx.resources,
            overrides,
        };
        match ctx.template.functions.iter().find(|f| f.binary == subject.binary) {
            Some(f) => env.extend(env::of_function(ctx.yaml, &f.logical_id, &resolve)?),
            None => {
                // A probe: the globals' variables, and a table of its own.
                env.extend(env::of_function(ctx.yaml, "", &resolve)?);
                env.insert("TABLE_NAME".into(), ctx.probe_table.to_owned());
            }
        }
        for var in &ctx.args.unset {
            env.remove(var);
        }
        let events: Vec<Vec<u8>> = subject.events.iter().map(|e| e.to_string().into_bytes()).collect();
        let binary = ctx.bin_dir.join(subject.binary);
        let check = subject.check;
        let mut runs = Vec::with_capacity(ctx.args.runs);
        for i in 0..ctx.args.runs {
            let log = ctx.logs.join(format!("{}-{i}.log", subject.binary));
            let run = measure::run(&binary, &env, &events, &|b| check.ok(b), &log).await;
            runs.push(run.map_err(|e| format!("{}: {e}", subject.binary))?);
        }
        let size = std::fs::metadata(&binary).map_err(|e| e.to_string())?.len();
        let row = Row::of(subject.name, subject.binary, &runs, size);
        eprintln!(
            "{}: init {:.1} ms, first {:.1} ms, warm {:.1} ms, RSS {:.1} → {:.1} MiB",
            row.binary, row.init_ms, row.first_ms, row.warm_ms, row.rss_first_mib, row.rss_last_mib
        );
        rows.push(row);
    }
    Ok(rows)
}

/// What Lambda sets for every function (besides `AWS_LAMBDA_RUNTIME_API`, per run).
fn lambda_env(binary: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("AWS_LAMBDA_FUNCTION_NAME".to_owned(), binary.to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(), "256".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION".to_owned(), "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME".to_owned(),
            "/aws/lambda/coldstart".to_owned(),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME".to_owned(), "coldstart".to_owned()),
        ("_HANDLER".to_owned(), "bootstrap".to_owned()),
    ])
}

/// `cargo build --release` of the binaries this tool runs (the functions' crates and the probes'
/// in one build, as `sam build` would build each: with their own dependency features).
fn build() -> Result<(), String> {
    let mut cmd = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["build", "--release"]);
    for p in ["coldstart-probes", "chatx", "nobase", "info", "weifchat", "upkeep"] {
        cmd.args(["-p", p]);
    }
    for b in BINARIES {
        cmd.args(["--bin", b]);
    }
    let status = cmd.status().map_err(|e| format!("cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build failed: {status}"))
    }
}
