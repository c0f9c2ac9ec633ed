//! The WebSocket API through the local gateway, as API Gateway serves it: a small template with
//! test handlers that record the events they get (no table needed), real WebSocket clients, and
//! the real Management API client (`aws-sdk-apigatewaymanagement`, through `shared`'s `Pusher`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_apigatewaymanagement::config::Credentials;
use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
use aws_sdk_apigatewaymanagement::operation::get_connection::GetConnectionError;
use lambda_http::request::RequestContext;
use local_gateway::client::Socket;
use local_gateway::gateway::GatewayError;
use local_gateway::{Gateway, Template};
use serde_json::{Value, json};
use shared::AppState;
use shared::config::Config;
use shared::lambda::{Body, Function, Request, RequestExt, Response};
use shared::socket::{Delivery, MAX_FRAME, Pusher, SocketEvent};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A negative check's window: short, it only has to catch a frame already on its way.
const SILENCE: Duration = Duration::from_millis(300);

// ---- test handlers: each records the event it got --------------------------------------------

#[derive(Debug, Clone)]
struct Seen {
    connection: String,
    route: String,
    event: SocketEvent,
    body: String,
    token: Option<String>,
    /// Whether the event carried the upgrade request's `Sec-WebSocket-Key` header.
    websocket_key: bool,
    disconnect: Option<(i64, String)>,
}

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

fn record(req: &Request) -> Seen {
    let ctx = shared::socket::context(req).expect("a WebSocket event");
    let disconnect = match req.request_context_ref() {
        Some(RequestContext::WebSocket(c)) => c
            .disconnect_status_code
            .map(|code| (code, c.disconnect_reason.clone().unwrap_or_default())),
        _ => None,
    };
    let seen = Seen {
        connection: ctx.connection_id,
        route: ctx.route_key,
        event: ctx.event,
        body: String::from_utf8_lossy(req.body()).into_owned(),
        token: req
            .query_string_parameters_ref()
            .and_then(|q| q.first("token"))
            .map(str::to_owned),
        websocket_key: req.headers().contains_key("sec-websocket-key"),
        disconnect,
    };
    SEEN.lock().unwrap().push(seen.clone());
    seen
}

fn respond(status: u16, body: String) -> Response<Body> {
    Response::builder().status(status).body(Body::from(body)).unwrap()
}

/// `$connect`: refuses with the status `?refuse=` names.
async fn connect(_: &AppState, req: Request) -> Response<Body> {
    record(&req);
    let refuse = req
        .query_string_parameters_ref()
        .and_then(|q| q.first("refuse"))
        .and_then(|s| s.parse().ok());
    match refuse {
        Some(status) => respond(status, json!({ "refused": status }).to_string()),
        None => respond(200, String::new()),
    }
}

/// Answers what it was told: the route, the connection, the frame.
async fn echo(_: &AppState, req: Request) -> Response<Body> {
    let seen = record(&req);
    let answer = json!({
        "route": seen.route,
        "connectionId": seen.connection,
        "event": format!("{:?}", seen.event),
        "body": seen.body,
    });
    respond(200, answer.to_string())
}

/// `{"action": …, "to": <connection>, "text": …}`: pushes `text` to `to`, answers the delivery.
async fn push(state: &AppState, req: Request) -> Response<Body> {
    let seen = record(&req);
    let frame: Value = serde_json::from_str(&seen.body).unwrap();
    let pusher = state.push.as_ref().expect("every function has a pusher locally");
    let delivery = pusher
        .post(
            frame["to"].as_str().unwrap(),
            frame["text"].as_str().unwrap().as_bytes(),
        )
        .await;
    respond(200, json!({ "delivery": format!("{delivery:?}") }).to_string())
}

/// A handler with a bug.
async fn fail(_: &AppState, req: Request) -> Response<Body> {
    record(&req);
    panic!("a bug in the handler");
}

async fn disconnect(_: &AppState, req: Request) -> Response<Body> {
    record(&req);
    respond(200, String::new())
}

// ---- the stack: a template text of routes, a gateway on a random port ------------------------

struct Route {
    key: &'static str,
    binary: &'static str,
    handler: shared::lambda::Handler,
    two_way: bool,
    pushes: bool,
}

fn route(key: &'static str, binary: &'static str, handler: shared::lambda::Handler) -> Route {
    Route {
        key,
        binary,
        handler,
        two_way: false,
        pushes: false,
    }
}

impl Route {
    fn two_way(self) -> Self {
        Self { two_way: true, ..self }
    }
    fn pushes(self) -> Self {
        Self { pushes: true, ..self }
    }
}

/// Every route of API Gateway's own kinds, each its own function.
fn full_api() -> Vec<Route> {
    vec![
        route("$connect", "t-connect", shared::handler!(connect)),
        route("$disconnect", "t-disconnect", shared::handler!(disconnect)),
        route("$default", "t-default", shared::handler!(echo)).two_way(),
        route("echo", "t-echo", shared::handler!(echo)).two_way(),
        route("quiet", "t-quiet", shared::handler!(echo)),
        route("push", "t-push", shared::handler!(push)).two_way().pushes(),
        route("push_denied", "t-push-denied", shared::handler!(push)).two_way(),
        route("fail", "t-fail", shared::handler!(fail)),
    ]
}

/// The template of `routes`, as `template.yaml` declares the chat's.
fn template(routes: &[Route]) -> String {
    let mut t = String::from(
        r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
  Chat:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  ChatStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Chat, StageName: ws}
"#,
    );
    for (i, r) in routes.iter().enumerate() {
        let grant = if r.pushes {
            r#"
      Policies:
        - Statement:
            - Effect: Allow
              Action: [execute-api:ManageConnections]
              Resource: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Chat}/${ChatStage}/POST/@connections/*""#
        } else {
            ""
        };
        t += &format!(
            r#"
  F{i}:
    Type: AWS::Serverless::Function
    Metadata: {{BuildProperties: {{Binary: {binary}}}}}
    Properties:
      Description: test{grant}
  F{i}Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Chat
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{F{i}.Arn}}/invocations"
  F{i}Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref F{i}
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Chat}}/*/{key}"
  F{i}Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: "{key}"
      Target: !Sub "integrations/${{F{i}Integration}}"
"#,
            binary = r.binary,
            key = r.key,
        );
        if r.two_way {
            t += &format!(
                r#"      RouteResponseSelectionExpression: $default
  F{i}RouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {{ApiId: !Ref Chat, RouteId: !Ref F{i}Route, RouteResponseKey: $default}}
"#
            );
        }
    }
    t
}

fn registry(routes: &[Route]) -> Vec<Function> {
    routes
        .iter()
        .map(|r| Function {
            binary: r.binary,
            handler_path: "tests::socket",
            handler: r.handler,
        })
        .collect()
}

/// Dummy credentials: the Management API calls are signed, the signature isn't checked.
async fn sdk() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "tests"))
        .load()
        .await
}

fn config() -> Config {
    Config::from_lookup(|k| match k {
        "TABLE_NAME" => Some("unused".into()),
        "TOKEN_SECRET" => Some("0123456789abcdef0123456789abcdef".into()),
        _ => None,
    })
    .unwrap()
}

struct Local {
    gateway: Arc<Gateway>,
    sdk: aws_config::SdkConfig,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Local {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn spawn(routes: Vec<Route>) -> Local {
    spawn_with(routes, |g| g).await
}

async fn spawn_with(routes: Vec<Route>, tune: impl FnOnce(Gateway) -> Gateway) -> Local {
    let template = Template::parse(&template(&routes)).expect("test template");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sdk = sdk().await;
    let gateway = Gateway::new(
        &template,
        registry(&routes),
        &config(),
        &sdk,
        listener.local_addr().unwrap(),
    )
    .expect("gateway");
    let gateway = Arc::new(tune(gateway));
    let server = tokio::spawn(gateway.clone().serve(listener));
    Local { gateway, sdk, server }
}

impl Local {
    async fn socket(&self) -> Socket {
        self.socket_with("").await.expect("handshake accepted")
    }

    async fn socket_with(&self, query: &str) -> Result<Socket, u16> {
        let url = self.gateway.ws_url().unwrap();
        Socket::connect(&format!("{url}?{query}")).await
    }

    /// The Management API as a function sees it, without a policy.
    fn management(&self) -> aws_sdk_apigatewaymanagement::Client {
        let endpoint = self.gateway.ws_url().unwrap().replacen("ws://", "http://", 1);
        aws_sdk_apigatewaymanagement::Client::from_conf(shared::socket::push_config(&self.sdk, &endpoint).build())
    }
}

/// The connection's ID, as the `echo` route tells it.
async fn connection_id(socket: &mut Socket) -> String {
    socket.send_json(&json!({ "action": "echo" })).await;
    socket.recv_json().await["connectionId"].as_str().unwrap().to_owned()
}

/// The event `route` got for `connection`, once it has come (`$disconnect` runs after a close).
async fn seen(connection: &str, route: &str) -> Seen {
    let find = || {
        SEEN.lock()
            .unwrap()
            .iter()
            .find(|s| s.connection == connection && s.route == route)
            .cloned()
    };
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(s) = find() {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{route} was not invoked for {connection}"))
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

// ---- tests ---------------------------------------------------------------------------------

#[tokio::test]
async fn the_connect_functions_status_accepts_or_refuses_the_handshake() {
    let app = spawn(full_api()).await;
    let token = unique();
    let mut socket = app.socket_with(&format!("token={token}")).await.expect("200 accepts");
    let id = connection_id(&mut socket).await;
    let connect = seen(&id, "$connect").await;
    assert_eq!(connect.event, SocketEvent::Connect);
    assert_eq!(
        connect.token.as_deref(),
        Some(token.as_str()),
        "the query string reaches $connect"
    );
    assert!(connect.websocket_key, "the upgrade request's headers reach $connect");

    let refused = unique();
    assert_eq!(
        app.socket_with(&format!("refuse=401&token={refused}")).await.err(),
        Some(401),
        "the function's status answers the handshake"
    );
    assert_eq!(app.socket_with("refuse=403").await.err(), Some(403));
    let seen_refused = SEEN
        .lock()
        .unwrap()
        .iter()
        .any(|s| s.token.as_deref() == Some(&refused));
    assert!(seen_refused, "$connect ran for the refused handshake");
}

#[tokio::test]
async fn without_a_connect_route_every_handshake_is_accepted() {
    let app = spawn(vec![route("echo", "t-echo", shared::handler!(echo)).two_way()]).await;
    let mut socket = app.socket_with("refuse=401").await.expect("accepted");
    assert!(!connection_id(&mut socket).await.is_empty());
}

#[tokio::test]
async fn a_frame_goes_to_the_route_its_action_names_and_a_two_way_answer_comes_back() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let frame = json!({ "action": "echo", "data": { "text": "你好" } }).to_string();
    socket.send_text(&frame).await;
    let answer = socket.recv_json().await;
    assert_eq!(answer["route"], "echo");
    assert_eq!(answer["event"], "Message");
    assert_eq!(answer["body"], frame.as_str(), "the frame is the event's body, as sent");
    let id = answer["connectionId"].as_str().unwrap().to_owned();

    socket.send_json(&json!({ "action": "quiet", "n": 1 })).await;
    socket.expect_silence(SILENCE).await;
    assert_eq!(
        seen(&id, "quiet").await.body,
        r#"{"action":"quiet","n":1}"#,
        "a one-way route runs but answers nothing"
    );
}

#[tokio::test]
async fn unknown_actions_non_json_frames_and_reserved_keys_go_to_default() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    for frame in [
        r#"{"action":"nope"}"#,
        r#"{"action":7}"#,
        r#"{"data":{}}"#,
        "not json",
        r#"{"action":"$connect"}"#,
    ] {
        socket.send_text(frame).await;
        let answer = socket.recv_json().await;
        assert_eq!(answer["route"], "$default", "{frame}");
        assert_eq!(answer["body"], frame);
    }
}

#[tokio::test]
async fn a_failed_invocation_answers_internal_server_error_and_the_connection_lives_on() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    socket.send_json(&json!({ "action": "fail" })).await;
    let answer = socket.recv_json().await;
    assert_eq!(answer["message"], "Internal server error", "even on a one-way route");
    assert_eq!(answer["connectionId"], id.as_str());
    assert_eq!(connection_id(&mut socket).await, id);
}

#[tokio::test]
async fn without_a_default_route_an_unrouted_frame_is_forbidden() {
    let app = spawn(vec![route("echo", "t-echo", shared::handler!(echo)).two_way()]).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    socket.send_text("hello").await;
    let answer = socket.recv_json().await;
    assert_eq!(answer["message"], "Forbidden");
    assert_eq!(answer["connectionId"], id.as_str());
    assert!(answer["requestId"].as_str().is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn a_frame_of_32_kib_is_taken_and_a_larger_one_closes_with_1009() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    let envelope = json!({ "action": "quiet", "pad": "" }).to_string().len();
    let largest = json!({ "action": "quiet", "pad": "x".repeat(MAX_FRAME - envelope) }).to_string();
    assert_eq!(largest.len(), MAX_FRAME);
    socket.send_text(&largest).await;
    socket.expect_silence(SILENCE).await;
    assert_eq!(seen(&id, "quiet").await.body.len(), MAX_FRAME);

    socket.send_text(&"x".repeat(MAX_FRAME + 1)).await;
    let (code, _) = socket.recv_close().await.expect("a close frame");
    assert_eq!(code, 1009);
    assert_eq!(seen(&id, "$disconnect").await.disconnect.unwrap().0, 1009);
}

#[tokio::test]
async fn a_binary_frame_closes_with_1003() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    socket.send_binary(vec![1, 2, 3]).await;
    assert_eq!(socket.recv_close().await.expect("a close frame").0, 1003);
    assert_eq!(seen(&id, "$disconnect").await.disconnect.unwrap().0, 1003);
}

#[tokio::test]
async fn closing_runs_disconnect_with_the_close_code_and_forgets_the_connection() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    socket.close().await;
    let gone = seen(&id, "$disconnect").await;
    assert_eq!(gone.event, SocketEvent::Disconnect);
    assert_eq!(gone.disconnect, Some((1000, String::new())));
    let pusher = Pusher::new(app.management());
    assert_eq!(pusher.post(&id, b"late").await, Delivery::Gone);
}

#[tokio::test]
async fn a_dropped_tcp_connection_runs_disconnect_with_1006() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    drop(socket);
    assert_eq!(seen(&id, "$disconnect").await.disconnect.unwrap().0, 1006);
}

#[tokio::test]
async fn a_push_reaches_another_connection_and_a_gone_one_is_410() {
    let app = spawn(full_api()).await;
    let (mut alice, mut bob) = (app.socket().await, app.socket().await);
    let bob_id = connection_id(&mut bob).await;
    alice
        .send_json(&json!({ "action": "push", "to": bob_id, "text": "{\"hi\":1}" }))
        .await;
    assert_eq!(alice.recv_json().await, json!({ "delivery": "Delivered" }));
    assert_eq!(bob.recv_json().await, json!({ "hi": 1 }));

    // The test's own client: 410 with x-amzn-ErrorType GoneException is the SDK's GoneException.
    let pusher = Pusher::new(app.management());
    assert_eq!(pusher.post("L0SM9cOFvHcCIhw=", b"x").await, Delivery::Gone);
    assert_eq!(pusher.post(&bob_id, b"direct").await, Delivery::Delivered);
    assert_eq!(bob.recv_text().await, "direct");

    bob.close().await;
    seen(&bob_id, "$disconnect").await;
    alice
        .send_json(&json!({ "action": "push", "to": bob_id, "text": "late" }))
        .await;
    assert_eq!(alice.recv_json().await, json!({ "delivery": "Gone" }));
}

#[tokio::test]
async fn a_function_without_the_manage_connections_grant_cannot_push() {
    let app = spawn(full_api()).await;
    let (mut alice, mut bob) = (app.socket().await, app.socket().await);
    let bob_id = connection_id(&mut bob).await;
    alice
        .send_json(&json!({ "action": "push_denied", "to": bob_id, "text": "hi" }))
        .await;
    assert_eq!(
        alice.recv_json().await,
        json!({ "delivery": "Failed" }),
        "refused by local IAM, as AWS would"
    );
    bob.expect_silence(SILENCE).await;
}

#[tokio::test]
async fn delete_closes_the_connection_and_get_describes_it() {
    let app = spawn(full_api()).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    let management = app.management();

    let described = management.get_connection().connection_id(&id).send().await.unwrap();
    assert!(described.connected_at().is_some());
    assert!(described.last_active_at() >= described.connected_at());
    assert_eq!(described.identity().unwrap().source_ip(), Some("127.0.0.1"));

    management.delete_connection().connection_id(&id).send().await.unwrap();
    assert_eq!(socket.recv_close().await.expect("a close frame").0, 1000);
    assert_eq!(seen(&id, "$disconnect").await.disconnect.unwrap().0, 1000);

    let err = management.get_connection().connection_id(&id).send().await.unwrap_err();
    assert!(matches!(err.into_service_error(), GetConnectionError::GoneException(_)));
    let err = management
        .delete_connection()
        .connection_id(&id)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.into_service_error(),
        DeleteConnectionError::GoneException(_)
    ));
}

#[tokio::test]
async fn an_idle_connection_is_closed_with_1001() {
    let app = spawn_with(full_api(), |g| g.with_socket_idle_timeout(Duration::from_millis(300))).await;
    let mut socket = app.socket().await;
    let id = connection_id(&mut socket).await;
    assert_eq!(socket.recv_close().await.expect("a close frame").0, 1001);
    assert_eq!(
        seen(&id, "$disconnect").await.disconnect,
        Some((1001, "Going away".into()))
    );
}

#[tokio::test]
async fn the_management_api_refuses_unsigned_calls() {
    let app = spawn(full_api()).await;
    let addr = app.gateway.url().trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /ws/@connections/abc HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 1\r\nconnection: close\r\n\r\nx"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
}

#[tokio::test]
async fn an_http_route_under_the_stage_path_is_refused() {
    let routes = vec![route("echo", "t-echo", shared::handler!(echo)).two_way()];
    let text = template(&routes)
        + r#"
  Http:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: t-http}}
    Properties:
      Events:
        Api:
          Type: HttpApi
          Properties: {Path: /ws/x, Method: GET}
"#;
    let mut registry = registry(&routes);
    registry.push(Function {
        binary: "t-http",
        handler_path: "tests::socket",
        handler: shared::handler!(echo),
    });
    let addr = "127.0.0.1:9".parse().unwrap();
    let err = Gateway::new(
        &Template::parse(&text).unwrap(),
        registry,
        &config(),
        &sdk().await,
        addr,
    )
    .err();
    assert!(matches!(err, Some(GatewayError::StageTaken { .. })), "{err:?}");
}
