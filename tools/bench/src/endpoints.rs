//! (b) and (c): every route of `template.yaml` (HTTP and WebSocket), sent as its owner (an admin
//! where only an admin is let through) with the
//! authorization matrix's request (`tests/authz.yaml`, `e2e::matrix`): one metered call (its
//! DynamoDB requests, items and units), then warm calls for latency (client round trip through
//! the gateway, and the `done` line's time in DynamoDB).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use e2e::matrix::{Answer, Identity, Request, Row, Runner, Surface, World, load_table, template_routes, world};

use crate::capture;
use crate::meter::{MeterProxy, Metered};

/// One call's time: the client's round trip and, of it, the time waiting for DynamoDB.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub total_us: f64,
    pub store_us: f64,
}

/// What one route cost and how fast it answered.
#[derive(Debug, Clone)]
pub struct Measured {
    pub route: String,
    pub binary: String,
    pub websocket: bool,
    /// The metered call answered as the matrix says the owner's does.
    pub ok: bool,
    /// What the metered call answered (status and code), for a row that went wrong.
    pub answer: String,
    pub calls: Vec<Metered>,
    pub samples: Vec<Sample>,
}

impl Measured {
    pub fn rru(&self) -> f64 {
        self.calls.iter().fold(0.0, |sum, c| sum + c.rru)
    }
    pub fn wru(&self) -> f64 {
        self.calls.iter().fold(0.0, |sum, c| sum + c.wru)
    }
    pub fn index_wru(&self) -> f64 {
        self.calls.iter().fold(0.0, |sum, c| sum + c.index_wru)
    }
    pub fn items(&self) -> u64 {
        self.calls.iter().map(|c| c.items).sum()
    }
}

/// How many warm calls per route (a route that consumes its target gets a new world each).
#[derive(Debug, Clone, Copy)]
pub struct Runs {
    pub warm: usize,
    pub fresh: usize,
}

/// The binary serving each route key (`METHOD /path`, `WS <key>`).
fn binaries() -> BTreeMap<String, String> {
    let template = local_gateway::Template::load(local_gateway::template_path()).expect("template.yaml");
    let mut out = BTreeMap::new();
    for f in &template.functions {
        for r in &f.routes {
            out.insert(format!("{} {}", r.method, r.path), f.binary.clone());
        }
    }
    for r in template.socket.iter().flat_map(|s| &s.routes) {
        out.insert(format!("WS {}", r.key), r.binary.clone());
    }
    out
}

/// Every route, each on a table of its own: moto's Query reads every item of the table (not
/// the partition, as DynamoDB does), so on one shared table a route's time would grow with the
/// fixtures of the routes measured before it.
pub async fn measure_all(proxy: &MeterProxy, runs: Runs) -> Vec<Measured> {
    let table = load_table();
    let surfaces = template_routes();
    let binaries = binaries();
    let mut out = Vec::new();
    for row in &table.routes {
        let surface = surfaces[&row.route];
        let runner = Runner::new(e2e::spawn_app_through(&proxy.url()).await);
        let shared = if row.fresh {
            None
        } else {
            Some(world(&runner.app, surface).await)
        };
        let measured = measure(&runner, proxy, surface, row, shared.as_ref(), runs, &binaries).await;
        eprintln!(
            "  {:<48} {:>2} requests {:>6.1} RRU {:>5} WRU{}",
            measured.route,
            measured.calls.len(),
            measured.rru(),
            measured.wru(),
            if measured.ok {
                String::new()
            } else {
                format!("  (answered {})", measured.answer)
            }
        );
        out.push(measured);
    }
    out
}

async fn measure(
    runner: &Runner,
    proxy: &MeterProxy,
    surface: Surface,
    row: &Row,
    shared: Option<&World>,
    runs: Runs,
    binaries: &BTreeMap<String, String>,
) -> Measured {
    // The owner's request, or the admin's where only an admin may (info's categories).
    let cell = |who: Identity| row.expect.get(&who).and_then(|c| Answer::parse(c));
    let (who, expected) = [Identity::Owner, Identity::Admin]
        .into_iter()
        .find_map(|who| cell(who).filter(|a| surface.accepts(*a)).map(|a| (who, a)))
        .or_else(|| cell(Identity::Owner).map(|a| (Identity::Owner, a)))
        .expect("the owner's cell");
    let fresh_world = |_: usize| async {
        if row.fresh {
            Some(world(&runner.app, surface).await)
        } else {
            None
        }
    };
    // The metered call.
    let own = fresh_world(0).await;
    let w = own.as_ref().or(shared).expect("a world");
    proxy.take();
    let (got, _) = call(runner, surface, row, w, who, Some(proxy)).await;
    let calls = proxy.take();
    // A WebSocket route that answers nobody (the matrix's code 0) ends its `done` line with 200.
    let ok = got.status == expected.status
        && (expected.code.is_none()
            || got.code == expected.code
            || (row.route.starts_with("WS ") && expected.code == Some(0) && got.code == Some(200)));
    let mut samples = Vec::new();
    let n = if row.fresh { runs.fresh } else { runs.warm };
    for i in 0..n {
        let own = fresh_world(i + 1).await;
        let w = own.as_ref().or(shared).expect("a world");
        let (_, sample) = call(runner, surface, row, w, who, None).await;
        samples.extend(sample);
    }
    Measured {
        route: row.route.clone(),
        binary: binaries.get(&row.route).cloned().unwrap_or_default(),
        websocket: row.route.starts_with("WS "),
        ok,
        answer: got.to_string(),
        calls,
        samples,
    }
}

/// One call as `who`, metered by `meter` if given: its answer and its time (`None` when
/// its `done` line was not seen).
async fn call(
    runner: &Runner,
    surface: Surface,
    row: &Row,
    world: &World,
    who: Identity,
    meter: Option<&MeterProxy>,
) -> (Answer, Option<Sample>) {
    if let Some(key) = row.route.strip_prefix("WS ") {
        return socket_call(runner, key, &row.request, world, meter).await;
    }
    capture::take();
    let started = Instant::now();
    meter.inspect(|m| m.metering(true));
    let (status, body) = runner.send(surface, &row.route, &row.request, world, who).await;
    meter.inspect(|m| m.metering(false));
    let total_us = started.elapsed().as_secs_f64() * 1e6;
    let done: Vec<_> = capture::take().into_iter().filter(|d| d.route == row.route).collect();
    let answer = Answer {
        status,
        code: surface.code(&body),
    };
    let sample = (!done.is_empty()).then(|| Sample {
        total_us,
        store_us: done.iter().map(|d| d.dynamodb_us as f64).sum(),
    });
    (answer, sample)
}

/// A WebSocket route: `$connect` is the handshake, `$disconnect` the close, any other the
/// frame on an open connection; the call ends with the route's `done` line (only that part is
/// metered). Its answer is the handshake's status (101) and the `done` line's code.
async fn socket_call(
    runner: &Runner,
    key: &str,
    request: &Request,
    world: &World,
    meter: Option<&MeterProxy>,
) -> (Answer, Option<Sample>) {
    let token = world.token(Identity::Owner).unwrap_or_default();
    let query = format!("token={token}");
    let limit = Duration::from_secs(10);
    let started;
    let mut socket = None;
    match key {
        "$connect" => {
            capture::take();
            started = Instant::now();
            meter.inspect(|m| m.metering(true));
            socket = runner.app.socket(&query).await.ok();
        }
        _ => {
            let mut s = runner.app.socket(&query).await.expect("the owner connects");
            capture::wait_for("$connect", limit).await;
            capture::take();
            started = Instant::now();
            meter.inspect(|m| m.metering(true));
            match &request.frame {
                Some(frame) => {
                    s.send_json(&world.fill_json(frame)).await;
                    socket = Some(s);
                }
                None => s.close().await,
            }
        }
    }
    let done = capture::wait_for(key, limit).await;
    let total_us = started.elapsed().as_secs_f64() * 1e6;
    meter.inspect(|m| m.metering(false));
    if let Some(s) = socket {
        s.close().await;
        capture::wait_for("$disconnect", limit).await;
    }
    let answer = Answer {
        status: 101,
        code: done.as_ref().map(|d| d.code),
    };
    let sample = done.map(|d| Sample {
        total_us,
        store_us: d.dynamodb_us as f64,
    });
    (answer, sample)
}

/// A heuristic, from the requests alone: calls that look like a round trip too many.
/// The round trip each request of a call is in (1 for the first), by arrival: one more than
/// the latest round trip among the requests answered before it arrived (those it may have
/// waited for); requests in flight together share one.
pub fn round_trips(calls: &[Metered]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..calls.len()).collect();
    order.sort_by_key(|&i| calls[i].arrived);
    let mut trip = vec![0; calls.len()];
    for (n, &i) in order.iter().enumerate() {
        trip[i] = 1 + order[..n]
            .iter()
            .filter(|&&j| calls[j].answered <= calls[i].arrived)
            .map(|&j| trip[j])
            .max()
            .unwrap_or(0);
    }
    trip
}

/// The sequential round trips of a call (its critical path to the store).
pub fn depth(calls: &[Metered]) -> usize {
    round_trips(calls).into_iter().max().unwrap_or(0)
}

/// Why a call's requests may be more round trips than it needs, if they may: requests of a
/// kind that one request could carry (GetItems, writes) made one after another, or three
/// Queries in sequence. Requests in flight together are never flagged.
pub fn extra_round_trips(m: &Measured) -> Option<String> {
    let trips = round_trips(&m.calls);
    let in_sequence = |kind: &dyn Fn(&str) -> bool| {
        let mut seen: Vec<usize> = m
            .calls
            .iter()
            .zip(&trips)
            .filter(|(c, _)| kind(&c.operation))
            .map(|(_, t)| *t)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let mut notes = Vec::new();
    let gets = in_sequence(&|o| o == "GetItem");
    if gets >= 2 {
        notes.push(format!("GetItems in {gets} round trips (one BatchGetItem?)"));
    }
    let queries = in_sequence(&|o| o == "Query");
    if queries >= 3 {
        notes.push(format!("Queries in {queries} round trips"));
    }
    let writes = in_sequence(&|o| {
        matches!(
            o,
            "PutItem" | "UpdateItem" | "DeleteItem" | "TransactWriteItems" | "BatchWriteItem"
        )
    });
    if writes >= 2 {
        notes.push(format!("writes in {writes} round trips"));
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// The compact list of a route's requests: `GetItem ×2, TransactWriteItems`.
pub fn operations(calls: &[Metered]) -> String {
    let mut out: Vec<(String, usize)> = Vec::new();
    for c in calls {
        match out.last_mut() {
            Some((op, n)) if *op == c.operation => *n += 1,
            _ => out.push((c.operation.clone(), 1)),
        }
    }
    out.iter()
        .map(|(op, n)| if *n > 1 { format!("{op} ×{n}") } else { op.clone() })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(operation: &str, arrived: u64, answered: u64) -> Metered {
        Metered {
            operation: operation.into(),
            arrived: Duration::from_millis(arrived),
            answered: Duration::from_millis(answered),
            ..Metered::default()
        }
    }

    #[test]
    fn requests_in_flight_together_share_a_round_trip() {
        // Two GetItems sent at once (the proxy answers them one after the other), then a write
        // that waited for both, then a read that waited for the write.
        let calls = [
            call("GetItem", 0, 5),
            call("GetItem", 1, 9),
            call("TransactWriteItems", 10, 20),
            call("GetItem", 21, 25),
        ];
        assert_eq!(round_trips(&calls), [1, 1, 2, 3]);
        assert_eq!(depth(&calls), 3);
    }

    #[test]
    fn only_requests_one_after_another_are_flagged() {
        let measured = |calls: Vec<Metered>| Measured {
            route: "GET /x".into(),
            binary: String::new(),
            websocket: false,
            ok: true,
            answer: String::new(),
            calls,
            samples: Vec::new(),
        };
        let together = measured(vec![call("GetItem", 0, 5), call("GetItem", 1, 9)]);
        assert_eq!(extra_round_trips(&together), None);
        let apart = measured(vec![call("GetItem", 0, 5), call("GetItem", 6, 9)]);
        assert_eq!(
            extra_round_trips(&apart).as_deref(),
            Some("GetItems in 2 round trips (one BatchGetItem?)")
        );
    }
}
