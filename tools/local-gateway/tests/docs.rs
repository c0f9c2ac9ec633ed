//! The API reference as `make dev` serves it: the real `template.yaml` with every function
//! mounted, and the repository's own `docs/` folder, over HTTP. No table or API server is needed
//! (nothing here reaches a function), and no npm: the UI's bundle is checked only against whether
//! `npm ci` installed it.

use std::path::PathBuf;

use local_gateway::gateway::GatewayError;
use local_gateway::static_files::StaticFiles;
use local_gateway::{Gateway, Template, all_functions, template_path};
use shared::AppState;
use shared::config::Config;
use shared::lambda::{Body, Function, Request, Response};

/// The repository's root: where `template.yaml` is.
fn repo() -> PathBuf {
    template_path().parent().expect("template.yaml's folder").to_owned()
}

fn config() -> Config {
    Config::from_lookup(|k| match k {
        "TABLE_NAME" => Some("unused".into()),
        "STORAGE_BUCKET" => Some("unused".into()),
        "TOKEN_SECRET" => Some("0123456789abcdef0123456789abcdef".into()),
        _ => None,
    })
    .unwrap()
}

/// Dummy credentials and region: nothing here calls AWS or a local API server.
async fn sdk() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "tests",
        ))
        .load()
        .await
}

/// The gateway of `template.yaml`, serving the repository's `examples/` and `docs/`, at its
/// base URL; stopped when the returned task is dropped.
async fn spawn() -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    let template = Template::load(template_path()).expect("template.yaml");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let gateway = Gateway::new(&template, all_functions(), &config(), &sdk().await, addr)
        .expect("the template's gateway")
        .with_static_files(StaticFiles::new(&repo().join("examples"), &repo().join("docs")));
    let server = tokio::spawn(std::sync::Arc::new(gateway).serve(listener));
    (format!("http://{addr}"), server)
}

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The names of the OpenAPI documents in `docs/openapi/` (`weifchat` for `weifchat.yaml`).
fn documents() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("docs/openapi"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_docs_page_lists_every_openapi_document() {
    let (base, server) = spawn().await;
    let resp = client().get(format!("{base}/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(content_type(&resp), "text/html; charset=utf-8");
    let page = resp.text().await.unwrap();
    assert!(page.contains("<title>API reference"), "{page}");
    assert!(
        page.contains("ui/redoc.standalone.js"),
        "the page loads the UI from the gateway"
    );
    assert!(!page.contains("https://"), "the page loads nothing from elsewhere");
    let names = documents();
    assert_eq!(names, ["chatx", "info", "nobase", "weifchat"]);
    for name in &names {
        assert!(
            page.contains(&format!("data-api=\"{name}\"")),
            "the page lists {name}.yaml"
        );
    }
    // `/docs` without its slash redirects, so the page's relative URLs resolve.
    let resp = client().get(format!("{base}/docs")).send().await.unwrap();
    assert_eq!(resp.status(), 301);
    assert_eq!(resp.headers()["location"], "/docs/");
    server.abort();
}

#[tokio::test]
async fn each_openapi_document_is_served_as_it_is_in_the_repository() {
    let (base, server) = spawn().await;
    for name in documents() {
        let resp = client()
            .get(format!("{base}/docs/openapi/{name}.yaml"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name}");
        assert_eq!(content_type(&resp), "application/yaml", "{name}");
        let served = resp.bytes().await.unwrap();
        let file = std::fs::read(repo().join(format!("docs/openapi/{name}.yaml"))).unwrap();
        assert_eq!(served.as_ref(), file.as_slice(), "{name}");
    }
    server.abort();
}

#[tokio::test]
async fn the_ui_bundle_is_served_once_installed_and_nothing_else_of_docs() {
    let (base, server) = spawn().await;
    let installed = repo()
        .join("docs/ui/node_modules/redoc/bundles/redoc.standalone.js")
        .is_file();
    let resp = client()
        .get(format!("{base}/docs/ui/redoc.standalone.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        if installed { 200 } else { 404 },
        "installed: {installed}"
    );
    if installed {
        assert_eq!(content_type(&resp), "text/javascript; charset=utf-8");
    }
    for path in [
        "/docs/deploy.md",
        "/docs/ui/package.json",
        "/docs/ui/package-lock.json",
        "/docs/ui/node_modules/redoc/package.json",
        "/docs/openapi/../deploy.md",
        "/docs/openapi/%2e%2e/deploy.md",
    ] {
        let resp = client().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    server.abort();
}

async fn ok(_: &AppState, _: Request) -> Response<Body> {
    Response::new(Body::Empty)
}

#[tokio::test]
async fn an_http_route_under_a_static_prefix_is_refused() {
    for path in ["/docs", "/docs/{name}", "/examples/x"] {
        let text = format!(
            r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{AttributeName: PK, AttributeType: S}}]
      KeySchema: [{{AttributeName: PK, KeyType: HASH}}]
  Http:
    Type: AWS::Serverless::Function
    Metadata: {{BuildProperties: {{Binary: t-http}}}}
    Properties:
      Events:
        Api:
          Type: HttpApi
          Properties: {{Path: "{path}", Method: GET}}
"#
        );
        let registry = vec![Function {
            binary: "t-http",
            handler_path: "tests::docs",
            handler: shared::handler!(ok),
        }];
        let err = Gateway::new(
            &Template::parse(&text).unwrap(),
            registry,
            &config(),
            &sdk().await,
            "127.0.0.1:9".parse().unwrap(),
        )
        .err();
        assert!(matches!(err, Some(GatewayError::StaticTaken { .. })), "{path}: {err:?}");
    }
}
