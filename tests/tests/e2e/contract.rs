//! The contracts between the pieces: template.yaml ⇄ code ⇄ OpenAPI ⇄ event fixtures, the
//! stack's resource budget, and behaviour every route shares.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use e2e::serde_json::{Value, json};
use e2e::spawn_app;
use local_gateway::template::Route;
use local_gateway::{Template, all_functions, template_path};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template() -> Template {
    Template::load(template_path()).unwrap()
}

/// (method, path) of every operation in the OpenAPI documents under docs/openapi.
fn openapi_routes() -> BTreeSet<Route> {
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("docs/openapi")).unwrap() {
        let path = entry.unwrap().path();
        let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{} is OpenAPI 3",
            path.display()
        );
        for (p, ops) in doc["paths"].as_mapping().unwrap() {
            for (method, _) in ops.as_mapping().unwrap() {
                let method = method.as_str().unwrap();
                if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method) {
                    routes.insert(Route {
                        method: method.to_ascii_uppercase(),
                        path: p.as_str().unwrap().to_owned(),
                    });
                }
            }
        }
    }
    routes
}

#[test]
fn openapi_documents_exactly_the_template_routes() {
    let template = template().routes();
    let openapi = openapi_routes();
    let missing: Vec<_> = template.difference(&openapi).collect();
    let extra: Vec<_> = openapi.difference(&template).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not in OpenAPI: {missing:?}\nnot in template: {extra:?}"
    );
}

#[test]
fn every_template_function_has_its_own_binary_and_every_handler_is_deployed() {
    let template = template();
    let declared: BTreeSet<String> = template.functions.iter().map(|f| f.binary.clone()).collect();
    assert_eq!(declared.len(), template.functions.len(), "two functions share a binary");
    let registered: BTreeSet<String> = all_functions().iter().map(|f| f.binary.to_owned()).collect();
    assert_eq!(declared, registered);
    let mut bins = BTreeSet::new();
    for dir in std::fs::read_dir(root().join("functions")).unwrap() {
        let bin_dir = dir.unwrap().path().join("src/bin");
        for file in std::fs::read_dir(bin_dir).unwrap() {
            bins.insert(file.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    assert_eq!(
        declared, bins,
        "functions/*/src/bin/<binary>.rs for each template function"
    );
}

#[test]
fn each_binary_calls_the_handler_its_registry_names() {
    for f in all_functions() {
        let crate_name = f.handler_path.split("::").next().unwrap().trim();
        let path = root().join(format!("functions/{crate_name}/src/bin/{}.rs", f.binary));
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let handler = f.handler_path.replace(' ', "");
        assert!(
            source.contains(&format!("handler!({handler})")),
            "{} must call {handler}",
            path.display()
        );
    }
}

#[test]
fn no_function_may_scan_and_each_names_its_own_actions() {
    for f in template().functions {
        assert!(!f.grants.is_empty(), "{} has no policy", f.binary);
        for g in &f.grants {
            assert!(
                !g.actions.iter().any(|a| a == "dynamodb:Scan" || a.ends_with(":*")),
                "{}: {:?}",
                f.binary,
                g.actions
            );
        }
    }
}

/// What SAM expands each function into: the function, its role (unless it names one) and one
/// Lambda permission per API event. CloudFormation allows 500 resources per stack.
#[test]
fn the_stack_stays_well_inside_the_cloudformation_resource_limit() {
    let text = std::fs::read_to_string(template_path()).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut total = 0;
    for (_, res) in doc["Resources"].as_mapping().unwrap() {
        total += match res["Type"].as_str().unwrap() {
            "AWS::Serverless::Function" => {
                let role = usize::from(res["Properties"]["Role"].is_null());
                let events = res["Properties"]["Events"].as_mapping().map_or(0, |e| e.len());
                1 + role + events
            }
            "AWS::Serverless::HttpApi" => 2, // the API and its $default stage
            _ => 1,
        };
    }
    assert!(
        total <= 400,
        "{total} resources after the SAM transform; budget 400 of CloudFormation's 500"
    );
}

#[tokio::test]
async fn every_chatx_route_checks_operation_id_then_token_over_http() {
    let app = spawn_app().await;
    for route in template()
        .routes()
        .into_iter()
        .filter(|r| r.path.starts_with("/chatx/"))
    {
        let (status, env) = app.raw(&route.method, &route.path, &[], "{}").await;
        assert_eq!(status, 200);
        assert_eq!(
            env,
            json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"header must have operationID"}),
            "{route:?}"
        );
        if route.path.starts_with("/chatx/account/") {
            continue;
        }
        let (_, env) = app
            .raw(&route.method, &route.path, &[("operationID", "op")], "{}")
            .await;
        assert_eq!(
            env,
            json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"token is empty"}),
            "{route:?}"
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_api_gateways_not_found() {
    let app = spawn_app().await;
    for (method, path) in [("POST", "/chatx/nope"), ("GET", "/chatx/moments/like")] {
        let (status, body) = app.raw(method, path, &[], "").await;
        assert_eq!((status, body), (404, json!({"message": "Not Found"})));
    }
}

/// The checked-in API Gateway events (for `cargo lambda invoke --data-file`) are real HTTP API
/// v2 events of template routes, and the handlers answer them in their surface's style (an
/// envelope for chatx, nobase and weifChat; a REST status with a JSON message or data for the
/// info module).
#[tokio::test]
async fn event_fixtures_are_http_api_events_of_template_routes() {
    let app = spawn_app().await;
    let template = template();
    let functions = all_functions();
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("events")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let event: Value = e2e::serde_json::from_str(&text).unwrap();
        assert_eq!(event["version"], "2.0", "{}", path.display());
        let (method, route_path) = event["routeKey"].as_str().unwrap().split_once(' ').unwrap();
        let def = template
            .functions
            .iter()
            .find(|f| f.routes.iter().any(|r| r.method == method && r.path == route_path))
            .unwrap_or_else(|| panic!("{}: routeKey not in template", path.display()));
        let request = lambda_http::request::from_str(&text).unwrap();
        let f = functions.iter().find(|f| f.binary == def.binary).unwrap();
        let state = shared::AppState::new(e2e::config(), app.dynamo.clone());
        let response = (f.handler)(&state, request).await;
        let status = response.status().as_u16();
        let body: Value = match response.body() {
            lambda_http::Body::Text(t) => e2e::serde_json::from_str(t).unwrap(),
            other => panic!("{other:?}"),
        };
        if route_path.starts_with("/api/v2/") {
            // The info module answers REST: a status and a JSON message or data.
            assert!(status < 500, "{}: {status} {body}", path.display());
            assert!(
                body.is_array() || body["message"].is_string(),
                "{}: {body}",
                path.display()
            );
        } else {
            // The envelope styles answer HTTP 200: chatx `errCode`, nobase `code`, weifChat `status`.
            assert_eq!(status, 200, "{}", path.display());
            assert!(
                body["errCode"].is_i64() || body["code"].is_i64() || body["status"].is_i64(),
                "{}: {body}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 3, "expected fixtures in events/");
}
