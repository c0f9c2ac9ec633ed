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
    // API Gateway's greedy `{name+}` is OpenAPI's `{name}` (a parameter that may hold slashes).
    let template: BTreeSet<Route> = template()
        .routes()
        .into_iter()
        .map(|r| Route {
            path: r.path.replace("+}", "}"),
            ..r
        })
        .collect();
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
    let http = all_functions().into_iter().map(|f| f.binary.to_owned());
    let streams = local_gateway::all_stream_functions()
        .into_iter()
        .map(|f| f.binary.to_owned());
    let authorizers = local_gateway::all_authorizer_functions()
        .into_iter()
        .map(|f| f.binary.to_owned());
    let registered: BTreeSet<String> = http.chain(streams).chain(authorizers).collect();
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
    // A function with no policy (the socket authorizer, `login`) makes no store request but the
    // warm-up, which StoreWarmUpPolicy grants; the gateway's IAM emulation refuses anything else.
    for f in template().functions {
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

/// The surface (crate) a registered function belongs to.
fn surface(f: &shared::lambda::Function) -> &'static str {
    f.handler_path.split("::").next().unwrap().trim()
}

/// `Ok` when `body` (with HTTP `status`) is an answer in `surface`'s wire style and not its
/// answer to a fault on our side (an internal error): chatx answers HTTP 200 `errCode` (500 is
/// the fault), nobase HTTP 200 `code` (405 `操作失败` is the fault), weifChat HTTP 200 `status`
/// (404, each route's own failure body, is the fault), the info module a REST status with a
/// JSON message or data (5xx is the fault).
fn answer_without_fault(surface: &str, status: u16, body: &Value) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("{surface}: {why}: HTTP {status} {body}"));
    if surface == "info" {
        if status >= 500 {
            return refuse("a server error");
        }
        if !(body.is_array() || body["message"].is_string()) {
            return refuse("not a REST answer (a JSON message or data)");
        }
        return Ok(());
    }
    if status != 200 {
        return refuse("an envelope style answers HTTP 200");
    }
    let (code_field, fault) = match surface {
        "chatx" => ("errCode", body["errCode"] == 500),
        "nobase" => ("code", body["code"] == 405 && body["data"] == "操作失败"),
        "weifchat" => ("status", body["status"] == 404),
        other => return refuse(&format!("unknown surface {other}")),
    };
    if !body[code_field].is_i64() {
        return refuse(&format!("not this surface's envelope (no integer `{code_field}`)"));
    }
    if fault {
        return refuse("the answer to an internal error");
    }
    Ok(())
}

/// The check the fixtures go through can fail: it refuses each surface's answer to an internal
/// error (as the handler tier renders them), and an answer in another surface's style, and
/// accepts successes and client errors.
#[test]
fn the_answer_check_refuses_each_surfaces_internal_error() {
    let faults = [
        (
            "chatx",
            200,
            json!({"errCode": 500, "errMsg": "ServerInternalError", "errDlt": "internal error"}),
        ),
        ("nobase", 200, json!({"code": 405, "msg": "fail", "data": "操作失败"})),
        ("weifchat", 200, json!({"status": 404, "msg": "注册失败"})),
        ("weifchat", 200, json!({"status": 404, "data": "服务器错误"})),
        (
            "weifchat",
            200,
            json!({"status": 404, "msg": "服务器错误", "result": false}),
        ),
        ("info", 500, json!({"message": "Server Error"})),
    ];
    for (surface, status, body) in faults {
        assert!(
            answer_without_fault(surface, status, &body).is_err(),
            "{surface} {status} {body}"
        );
    }
    let foreign = [
        ("chatx", 200, json!({"code": 200, "msg": "success", "data": null})),
        ("nobase", 200, json!({"status": 200, "msg": "ok"})),
        ("weifchat", 200, json!({"errCode": 0, "errMsg": "", "errDlt": ""})),
        ("weifchat", 500, json!({"status": 200})),
        ("info", 200, json!({"errCode": 0})),
        ("other", 200, json!({"errCode": 0})),
    ];
    for (surface, status, body) in foreign {
        assert!(
            answer_without_fault(surface, status, &body).is_err(),
            "{surface} {status} {body}"
        );
    }
    let fine = [
        ("chatx", 200, json!({"errCode": 0, "errMsg": "", "errDlt": ""})),
        (
            "chatx",
            200,
            json!({"errCode": 1001, "errMsg": "ArgsError", "errDlt": "token is empty"}),
        ),
        (
            "nobase",
            200,
            json!({"code": 200, "msg": "success", "data": "点赞成功"}),
        ),
        (
            "nobase",
            200,
            json!({"code": 405, "msg": "fail", "data": "like参数错误(需为1或2)"}),
        ),
        ("weifchat", 200, json!({"status": 200, "msg": "登录成功"})),
        ("weifchat", 200, json!({"status": 400, "msg": "该用户已注册"})),
        ("info", 200, json!([])),
        ("info", 404, json!({"message": "Not Found"})),
    ];
    for (surface, status, body) in fine {
        assert_eq!(
            answer_without_fault(surface, status, &body),
            Ok(()),
            "{surface} {status} {body}"
        );
    }
}

/// The check refuses what each surface's handler really answers when its store fails (every
/// store call of the offline state fails at once, as an internal error).
#[tokio::test]
async fn the_answer_check_refuses_each_surfaces_real_answer_to_a_store_fault() {
    use shared::testing::{offline_state, request};
    let state = offline_state();
    let chatx_token = state.tokens.issue("u1", chatx::AUDIENCE).unwrap();
    let info_token = format!("Bearer {}", state.tokens.issue("7", info::AUDIENCE).unwrap());
    let cases = [
        (
            "chatx-moments-like",
            request("POST", "/chatx/moments/like")
                .headers(&[("operationID", "op"), ("token", &chatx_token)])
                .body(r#"{"postID":"p1"}"#),
        ),
        (
            "nobase-bbs-post-like",
            request("GET", "/api/bbs/post_like?appid=a1&uid=b1&id=p1&like=1&signature=s"),
        ),
        (
            "weif-login",
            request("POST", "/login")
                .header("content-type", "application/json")
                .body(r#"{"phone":"13800000000","password":"x"}"#),
        ),
        (
            "info-like",
            request("PUT", "/api/v2/feeds/1/like")
                .header("authorization", &info_token)
                .path(&[("id", "1")]),
        ),
    ];
    let functions = all_functions();
    for (binary, req) in cases {
        let f = functions.iter().find(|f| f.binary == binary).unwrap();
        let response = (f.handler)(&state, req.build()).await;
        let (status, body) = (response.status().as_u16(), shared::testing::json_body(&response));
        assert!(
            answer_without_fault(surface(f), status, &body).is_err(),
            "{binary}: HTTP {status} {body}"
        );
    }
}

/// The checked-in API Gateway events (for `cargo lambda invoke --data-file`) are real HTTP API
/// v2 events of template routes, and the handlers answer them in their surface's style, without
/// a fault (see [`answer_without_fault`]).
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
        if let Err(why) = answer_without_fault(surface(f), status, &body) {
            panic!("{}: {why}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 3, "expected fixtures in events/");
}

/// A `text/plain` body (what `fetch` sends for a string body without a content type) is not read
/// as JSON on any surface: each refuses it in its own envelope and stores nothing.
#[tokio::test]
async fn a_text_plain_body_is_refused_on_every_surface() {
    let app = spawn_app().await;
    let name = e2e::unique("plain");
    let plain = [("content-type", "text/plain;charset=UTF-8")];
    let (_, chatx) = app
        .raw(
            "POST",
            "/chatx/account/register",
            &[plain[0], ("operationID", "op")],
            json!({"account": name, "password": "secret-pass", "nickname": "n"}).to_string(),
        )
        .await;
    assert_eq!(chatx["errCode"], 1001, "{chatx}");
    let (_, nobase) = app
        .raw(
            "POST",
            "/api/user/register",
            &plain,
            json!({"user": name, "pass": "secret-pass"}).to_string(),
        )
        .await;
    assert_eq!(
        (nobase["code"].as_i64(), nobase["msg"].as_str()),
        (Some(204), Some("fail")),
        "{nobase}"
    );
    let (_, weif) = app
        .raw(
            "POST",
            "/register",
            &plain,
            json!({"phone": "13800000000", "password": "secret-pass", "nick": name}).to_string(),
        )
        .await;
    assert_eq!(weif["status"], 400, "{weif}");
    let (status, info) = app
        .raw(
            "POST",
            "/api/v2/users",
            &plain,
            json!({"name": name, "password": "secret-pass"}).to_string(),
        )
        .await;
    assert_eq!(status, 400, "{info}");
    assert_eq!(
        info["message"],
        "The request body must be JSON (Content-Type: application/json)."
    );
}

/// The path and source of function `binary`'s main file (functions/*/src/bin/<binary>.rs).
fn binary_source(binary: &str) -> (std::path::PathBuf, String) {
    let path = std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|d| d.unwrap().path().join(format!("src/bin/{binary}.rs")))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no binary for {binary}"));
    let source = std::fs::read_to_string(&path).unwrap();
    (path, source)
}

/// Init does only what it must (docs/decisions.md, "Init"): a function's `main` names the S3
/// client exactly when its policy grants S3, and the Management API client exactly when it may
/// push; every function's role may read the warm-up key its init reads.
#[test]
fn each_binary_builds_the_clients_its_policy_grants_and_may_warm_its_store() {
    let template = template();
    for f in &template.functions {
        let actions: BTreeSet<&str> = f
            .grants
            .iter()
            .flat_map(|g| g.actions.iter().map(String::as_str))
            .collect();
        let (path, source) = binary_source(&f.binary);
        let storage = actions.iter().any(|a| a.starts_with("s3:"));
        let push = actions.contains("execute-api:ManageConnections");
        assert_eq!(
            source.contains("shared::state::STORAGE") || source.contains("shared::state::PRESIGNING"),
            storage,
            "{}: S3 client",
            path.display()
        );
        assert_eq!(
            source.contains("shared::state::PUSH"),
            push,
            "{}: push client",
            path.display()
        );
    }
    let text = std::fs::read_to_string(template_path()).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let roles = &doc["Resources"]["StoreWarmUpPolicy"]["Properties"]["Roles"];
    let roles: BTreeSet<String> = roles
        .as_sequence()
        .expect("StoreWarmUpPolicy's Roles")
        .iter()
        .map(|r| match r {
            serde_yaml::Value::Tagged(t) if t.tag == "!Ref" => t.value.as_str().unwrap().to_owned(),
            other => panic!("not a !Ref: {other:?}"),
        })
        .collect();
    // An authorizer reads nothing and skips the warm-up (shared::lambda::run_authorizer).
    let authorizers: BTreeSet<String> = local_gateway::all_authorizer_functions()
        .into_iter()
        .map(|f| f.binary.to_owned())
        .collect();
    let expected: BTreeSet<String> = template
        .functions
        .iter()
        .filter(|f| !authorizers.contains(&f.binary))
        .map(|f| format!("{}Role", f.logical_id))
        .collect();
    assert_eq!(
        roles, expected,
        "every function's role but the authorizers', and only those, in StoreWarmUpPolicy"
    );
    for f in template.functions.iter().filter(|f| authorizers.contains(&f.binary)) {
        assert!(
            f.grants.is_empty(),
            "{}: an authorizer that reads nothing needs no grant",
            f.binary
        );
        let (path, source) = binary_source(&f.binary);
        assert!(source.contains("run_authorizer"), "{}", path.display());
    }
}
