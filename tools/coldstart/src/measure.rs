//! One cold start, measured from outside: spawn the binary against a fresh [`Runtime`], wait for
//! its first poll (init), hand it its events one after another (the first invoke, then the warm
//! ones), read its peak RSS after the first and after the last call, and stop it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::runtime::{Outcome, Runtime};

/// How long a function may take to start or answer before the run is declared failed. Not a
/// performance limit: a hung child must not hang the tool.
pub const STUCK: Duration = Duration::from_secs(60);

/// One run of one function.
#[derive(Debug, Clone)]
pub struct Run {
    pub init: Duration,
    pub first: Duration,
    /// Each invocation after the first.
    pub warm: Vec<Duration>,
    /// Peak RSS (KiB) after the first invocation and after the last.
    pub rss_first_kib: u64,
    pub rss_last_kib: u64,
}

/// Runs `binary` with exactly `env` (plus `AWS_LAMBDA_RUNTIME_API`), hands it `events` in order
/// and checks each answer with `ok`. Its output goes to `log`.
pub async fn run(
    binary: &Path,
    env: &BTreeMap<String, String>,
    events: &[Vec<u8>],
    ok: &(dyn Fn(&[u8]) -> Result<(), String> + Sync),
    log: &Path,
) -> Result<Run, String> {
    let runtime = Runtime::start().await.map_err(|e| format!("runtime API: {e}"))?;
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env_clear()
        .envs(env)
        .env("AWS_LAMBDA_RUNTIME_API", runtime.address())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let pid = child.id().ok_or("the child has no pid")?;
    let fail = |what: String| format!("{what} (log: {})", log.display());
    tokio::select! {
        _ = runtime.polled() => {}
        status = child.wait() => return Err(fail(format!("exited during init: {status:?}"))),
        _ = tokio::time::sleep(STUCK) => return Err(fail("no poll for an event".into())),
    }
    if let Some(error) = runtime.init_error() {
        return Err(fail(format!("init error: {error}")));
    }
    let init = runtime.first_next().ok_or("no poll")?.duration_since(started);
    let mut took = Vec::with_capacity(events.len());
    let mut rss_first_kib = 0;
    for (i, event) in events.iter().enumerate() {
        let answered = tokio::select! {
            a = runtime.invoke(event) => a?,
            status = child.wait() => return Err(fail(format!("exited during invocation {i}: {status:?}"))),
            _ = tokio::time::sleep(STUCK) => return Err(fail(format!("invocation {i} never answered"))),
        };
        match &answered.outcome {
            Outcome::Response(body) => ok(body).map_err(|e| fail(format!("invocation {i}: {e}")))?,
            Outcome::Error(e) => return Err(fail(format!("invocation {i} failed: {e}"))),
        }
        took.push(answered.took);
        if i == 0 {
            rss_first_kib = crate::procfs::peak_rss_of(pid).ok_or("no /proc status")?;
        }
    }
    let rss_last_kib = crate::procfs::peak_rss_of(pid).ok_or("no /proc status")?;
    let _ = child.start_kill();
    let _ = child.wait().await;
    let (first, warm) = took.split_first().ok_or("no events")?;
    Ok(Run {
        init,
        first: *first,
        warm: warm.to_vec(),
        rss_first_kib,
        rss_last_kib,
    })
}
