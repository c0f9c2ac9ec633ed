//! `make bench` (scripts/bench.sh): measures every endpoint through the local gateway, in
//! process, against the DynamoDB API server, and writes docs/benchmarks.md. See
//! docs/benchmarks.md's *How this is measured* and docs/decisions.md.

mod capture;
mod cost;
mod endpoints;
mod fanout;
mod lists;
mod meter;
mod prices;
mod report;
mod units;

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Parser;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::endpoints::{Measured, Runs};
use crate::report::{num, percentile, table};

#[derive(Parser)]
#[command(about = "Measure every endpoint and write docs/benchmarks.md")]
struct Args {
    /// The file to write (its hand-written part, after the marker line, is kept).
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// Fewer runs and smaller sizes, for a fast check (BENCH_QUICK=1).
    #[arg(long)]
    quick: bool,
    /// The cold-start section, as tools/coldstart wrote it (markdown), if measured.
    #[arg(long)]
    coldstart: Option<PathBuf>,
    /// Measure only (d), the list endpoints, and print its section instead of writing `out`.
    #[arg(long)]
    lists_only: bool,
    /// The command line to print in the header.
    #[arg(long, default_value = "make bench")]
    command: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = Args::parse();
    args.quick |= std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    tracing_subscriber::registry()
        .with(capture::DoneLines)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .init();
    let started = std::time::SystemTime::now();
    let template = local_gateway::Template::load(local_gateway::template_path())?;
    let template_text = std::fs::read_to_string(local_gateway::template_path())?;
    let memory = cost::memory_by_binary(&template_text);
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").map_err(|_| "AWS_ENDPOINT_URL_DYNAMODB is not set")?;
    let proxy = meter::MeterProxy::start(&upstream, meter::Schema::from_template(&template.table)).await;
    let runs = if args.quick {
        Runs { warm: 5, fresh: 1 }
    } else {
        Runs { warm: 50, fresh: 5 }
    };

    let sizes: &[usize] = if args.quick {
        &[100, 1_000]
    } else {
        &[100, 1_000, 10_000]
    };
    if args.lists_only {
        let listed = lists::measure(&proxy, sizes, runs.warm).await;
        let mut doc = String::new();
        lists(&mut doc, &listed);
        println!("{doc}");
        return Ok(());
    }
    eprintln!("(b, c) every endpoint: one metered call, then {} warm calls", runs.warm);
    let measured = endpoints::measure_all(&proxy, runs).await;

    eprintln!("(d) list endpoints at {sizes:?} rows");
    let listed = lists::measure(&proxy, sizes, runs.warm).await;

    let (members, messages) = if args.quick { (20, 3) } else { (200, 9) };
    eprintln!("(e) fan-out: one group message to {members} members, {messages} times");
    let fanout = fanout::measure(&e2e::spawn_app_through(&proxy.url()).await, members, messages).await;

    let mut doc = String::new();
    header(&mut doc, &args, started);
    coldstart(&mut doc, args.coldstart.as_deref());
    latency(&mut doc, &measured, runs);
    costs(&mut doc, &measured, &memory);
    lists(&mut doc, &listed);
    fanout_section(&mut doc, &fanout);
    let old = std::fs::read_to_string(&args.out).unwrap_or_default();
    doc.push_str(&report::kept_tail(&old));
    std::fs::write(&args.out, doc)?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

fn header(doc: &mut String, args: &Args, started: std::time::SystemTime) {
    let secs = started.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let date = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let _ = writeln!(
        doc,
        "# Benchmarks\n\nWritten by `{}`{} on {date} (tools/bench, scripts/bench.sh); everything above the \
         hand-written part is generated, every figure from that run. Release builds, the local gateway in \
         process, moto (the DynamoDB API server) over loopback: absolute times are this machine's and moto's, \
         not AWS's; requests, items and units are DynamoDB's rules applied to the real items.\n",
        args.command,
        if args.quick {
            " with `BENCH_QUICK=1` (fewer runs)"
        } else {
            ""
        },
    );
    let rows: Vec<Vec<String>> = report::machine().into_iter().map(|(k, v)| vec![k, v]).collect();
    doc.push_str(&table(&["machine", ""], &rows));
    doc.push('\n');
}

fn coldstart(doc: &mut String, file: Option<&std::path::Path>) {
    doc.push_str("## (a) Cold start\n\n");
    match file.and_then(|f| std::fs::read_to_string(f).ok()) {
        Some(text) => {
            doc.push_str(text.trim());
            doc.push_str("\n\n");
        }
        None => doc.push_str("Not measured in this run (`tools/coldstart` is not in this tree).\n\n"),
    }
}

/// The class of an endpoint, for the latency table.
fn class(m: &Measured) -> &'static str {
    if m.websocket {
        "WebSocket frame"
    } else if m.route.contains("login") || m.route.contains("register") {
        "sign-in (password hash)"
    } else if m.wru() > 0.0 {
        "write"
    } else if m.rru() > 0.0 {
        "read"
    } else {
        "no store"
    }
}

fn ms(us: Option<f64>) -> String {
    us.map_or("–".into(), |us| num(us / 1000.0, 2))
}

/// A class's endpoints and its calls' total, store and rest times (µs).
type Class = (usize, Vec<f64>, Vec<f64>, Vec<f64>);

fn latency(doc: &mut String, measured: &[Measured], runs: Runs) {
    let _ = writeln!(
        doc,
        "## (b) Warm latency per endpoint class\n\n{} warm calls per endpoint ({} for an endpoint that consumes \
         its target, each on new fixtures), one at a time, after the metered call. *total*: the client's round \
         trip through the local gateway (HTTP) or from sending the frame to the route's `done` line \
         (WebSocket); *store*: the `done` line's `dynamodb_us`, time waiting for DynamoDB; *rest*: total minus \
         store (handler, gateway, HTTP). Milliseconds.\n",
        runs.warm, runs.fresh
    );
    let mut classes: std::collections::BTreeMap<&str, Class> = Default::default();
    for m in measured {
        let e = classes.entry(class(m)).or_default();
        e.0 += 1;
        for s in &m.samples {
            e.1.push(s.total_us);
            e.2.push(s.store_us);
            e.3.push(s.total_us - s.store_us);
        }
    }
    let rows: Vec<Vec<String>> = classes
        .iter()
        .map(|(name, (n, total, store, rest))| {
            vec![
                (*name).to_owned(),
                n.to_string(),
                total.len().to_string(),
                ms(percentile(total, 50.0)),
                ms(percentile(total, 99.0)),
                ms(percentile(store, 50.0)),
                ms(percentile(store, 99.0)),
                ms(percentile(rest, 50.0)),
                ms(percentile(rest, 99.0)),
            ]
        })
        .collect();
    doc.push_str(&table(
        &[
            "class",
            "endpoints",
            "calls",
            "total p50",
            "total p99",
            "store p50",
            "store p99",
            "rest p50",
            "rest p99",
        ],
        &rows,
    ));
    doc.push('\n');
}

fn costs(doc: &mut String, measured: &[Measured], memory: &std::collections::BTreeMap<String, u64>) {
    let _ = writeln!(
        doc,
        "## (c) DynamoDB requests, items, units and cost per call, every endpoint\n\n\
         One call of each route of `template.yaml` (HTTP and WebSocket) as its owner (an admin where only an admin is let through), with the authorization \
         matrix's request (`tests/authz.yaml`), each route on a table of its own holding only its fixtures \
         (moto's Query reads every item of the table, DynamoDB's only the partition's: on one shared table a \
         route's time, and so its Lambda cost, grew with the routes measured before it), through a metering proxy in front of the DynamoDB API server \
         (tools/bench/src/meter.rs). *items*: items read (evaluated, for a Query); *RRU*/*WRU*: read and write \
         request units by DynamoDB's rules from the items' sizes (a write: the larger of the item before and \
         after, per KB, ×2 in a transaction, plus each GSI entry it puts, deletes or changes; a read: per 4 KB, \
         half when eventually consistent, a Query rounded once over what it evaluated); *index* is the GSI part \
         of WRU. *$/M*: dollars per million calls at the prices of tools/bench/src/prices.rs ({}): DynamoDB, \
         then all in (plus HTTP API or WebSocket message, Lambda request and GB-s at the function's \
         `MemorySize` for the warm p50 time, billed per started ms). A route marked ✗ did not answer as the \
         matrix says that call does; its figures are a refusal's.\n",
        prices::AS_OF
    );
    let mut rows = Vec::new();
    for m in measured {
        let p50 = percentile(&m.samples.iter().map(|s| s.total_us).collect::<Vec<_>>(), 50.0);
        let mb = memory.get(&m.binary).copied().unwrap_or(0);
        let c = cost::per_million(m.rru(), m.wru(), p50.unwrap_or(0.0) / 1000.0, mb, m.websocket);
        rows.push(vec![
            format!("{}{}", m.route, if m.ok { "" } else { " ✗" }),
            m.calls.len().to_string(),
            endpoints::depth(&m.calls).to_string(),
            endpoints::operations(&m.calls),
            m.items().to_string(),
            num(m.rru(), 1),
            format!("{}", m.wru()),
            format!("{}", m.index_wru()),
            ms(p50),
            mb.to_string(),
            num(c.dynamodb, 2),
            num(c.total(), 2),
        ]);
    }
    doc.push_str(&table(
        &[
            "route",
            "requests",
            "round trips",
            "operations",
            "items",
            "RRU",
            "WRU",
            "index",
            "p50 ms",
            "MB",
            "DynamoDB $/M",
            "all-in $/M",
        ],
        &rows,
    ));
    let flagged: Vec<String> = measured
        .iter()
        .filter_map(|m| {
            endpoints::extra_round_trips(m)
                .map(|why| format!("- `{}`: {why} ({})", m.route, endpoints::operations(&m.calls)))
        })
        .collect();
    let _ = writeln!(
        doc,
        "\n### Round trips worth a look\n\nRequests of one kind made one after another (GetItems or writes in two \
         or more round trips, Queries in three or more); requests in flight together are one round trip \
         (*round trips* above: the call's sequential requests to the store). Each is a candidate, not a \
         verdict: a read that needs what the one before it returned can't join it.\n"
    );
    if flagged.is_empty() {
        doc.push_str("None.\n");
    } else {
        doc.push_str(&flagged.join("\n"));
        doc.push('\n');
    }
    doc.push('\n');
}

fn lists(doc: &mut String, runs: &[lists::ListRun]) {
    let _ = writeln!(
        doc,
        "## (d) List endpoints at 100, 1,000 and 10,000 rows\n\nEvery list route of `template.yaml` (nobase has \
         none), each list on a table of its own filled with the items the surface's own writes leave (batch \
         writes, tools/bench/src/lists.rs), up to each size or the product's cap. Then the first page as the \
         list's owner, metered (requests, items read, RRU), and warm calls (client round trip, ms). *fill s*: \
         the batch writes that grew the table to *rows* (moto on this machine; shared by the routes listing the \
         same rows). A route marked ✗ did not answer with a page. A first page that reads more than {} items \
         gets {} warm calls (*calls*), the others all of them.\n",
        lists::UNPAGED_READ,
        lists::UNPAGED_WARM
    );
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                format!("{}{}", r.route, if r.ok { "" } else { " ✗" }),
                r.row.to_owned(),
                match r.capped {
                    Some((cap, _)) => format!("{} (cap)", cap),
                    None => r.rows.to_string(),
                },
                num(r.fill_secs, 1),
                r.requests.to_string(),
                r.items.to_string(),
                num(r.rru, 1),
                r.samples.len().to_string(),
                ms(percentile(&r.samples, 50.0)),
                ms(percentile(&r.samples, 99.0)),
            ]
        })
        .collect();
    doc.push_str(&table(
        &[
            "route",
            "a row is a",
            "rows",
            "fill s",
            "requests",
            "items read",
            "RRU",
            "calls",
            "p50 ms",
            "p99 ms",
        ],
        &rows,
    ));
    let mut caps: Vec<String> = runs
        .iter()
        .filter_map(|r| r.capped.map(|(_, why)| format!("- `{}`: {why}.", r.route)))
        .collect();
    caps.dedup();
    if !caps.is_empty() {
        doc.push_str("\nSizes over a cap are measured at the cap (the next size adds nothing):\n\n");
        doc.push_str(&caps.join("\n"));
        doc.push('\n');
    }
    doc.push('\n');
}

fn fanout_section(doc: &mut String, f: &fanout::Fanout) {
    let _ = writeln!(
        doc,
        "## (e) Fan-out of one group message\n\nA weifChat group of {} members, each connected to the local \
         WebSocket API and logged in; the owner sends one `group_chat`, {} times one after another. From \
         sending the frame to the first and to the last other member receiving it (the `group_chat` \
         function stores the message, then pushes to every member's connections through the Management \
         API, which the local gateway serves). Milliseconds.\n",
        f.members,
        f.last_ms.len()
    );
    let row = |name: &str, s: &[f64]| {
        vec![
            name.to_owned(),
            ms(percentile(s, 50.0).map(|x| x * 1000.0)),
            ms(percentile(s, 100.0).map(|x| x * 1000.0)),
        ]
    };
    doc.push_str(&table(
        &["", "median", "slowest"],
        &[row("first member", &f.first_ms), row("last member", &f.last_ms)],
    ));
    doc.push('\n');
}
