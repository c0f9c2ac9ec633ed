//! The authorization matrix: every route of `template.yaml` (HTTP and WebSocket) × every identity (no token, a malformed one, an expired one, another surface's,
//! another user's, the owner's, an admin's) → the answer `tests/authz.yaml` says it gets (HTTP
//! status and the surface's envelope code). One test drives the whole table: it fails when a
//! route of the template is missing from the table or the table names a route that doesn't
//! exist, and it lists every cell that answered otherwise. Its format and how to add a route:
//! docs/auth.md, *The authorization matrix*.
//!
//! Each surface gets a world of fixtures (an owner with objects, another user, an admin where
//! the surface has admins) built through the API; a row's placeholders (`{post}`, `{owner}`, …)
//! name them. Per row, the cells expected to be refused are fired at once, then the row's
//! `probe` (a read as the owner) must answer exactly as before them (a refused request changed
//! nothing), then the accepted cells run one at a time, the owner's last. A `fresh` row (one
//! whose accepted cells delete or consume their target) gets a new world for its refused cells
//! and another for each accepted cell. The rows, worlds and requests are `e2e::matrix`'s
//! (`tools/bench` sends the same requests).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use e2e::matrix::{
    Answer, Got, IDENTITIES, Identity, Row, Runner, Surface, TABLE, World, load_table, template_routes, world,
};
use e2e::spawn_app;
use futures_util::future::join_all;

/// The cells of a row, `n/a` left out; panics on a malformed row.
fn cells(row: &Row) -> Vec<(Identity, Answer)> {
    for who in IDENTITIES {
        assert!(row.expect.contains_key(&who), "{}: no {who:?} cell", row.route);
    }
    row.expect
        .iter()
        .filter(|(_, cell)| cell.trim() != "n/a")
        .map(|(who, cell)| {
            let answer = Answer::parse(cell).unwrap_or_else(|| panic!("{}: bad cell {who:?}: {cell:?}", row.route));
            (*who, answer)
        })
        .collect()
}

/// What one cell answered, compared with the table: `None` when as expected.
fn compare(route: &str, surface: Surface, who: Identity, want: Answer, (status, body): Got) -> Option<String> {
    let got = Answer {
        status,
        code: want.code.and(surface.code(&body)),
    };
    (got != want).then(|| format!("{route} as {who:?}: expected {want}, got {got}: {body}"))
}

/// One row: its refused cells at once, the probe, then its accepted cells one at a time (the
/// owner's last). A `fresh` row's refused cells and first accepted cell share a new world (the
/// probe showed the refused cells changed nothing); each later accepted cell gets its own.
async fn run_row(runner: &Runner, surface: Surface, row: &Row, shared: Option<&World>) -> Vec<String> {
    let (refused, accepted): (Vec<_>, Vec<_>) = cells(row).into_iter().partition(|(_, a)| !surface.accepts(*a));
    let fresh_world = if row.fresh {
        Some(world(&runner.app, surface).await)
    } else {
        None
    };
    let world = fresh_world.as_ref().or(shared).expect("a world");
    let mut failures = Vec::new();
    let probe = |world| async move {
        match &row.probe {
            Some(p) => Some(runner.send(surface, &p.route, &p.request, world, Identity::Owner).await),
            None => None,
        }
    };
    let before = probe(world).await;
    let got = join_all(
        refused
            .iter()
            .map(|(who, _)| runner.send(surface, &row.route, &row.request, world, *who)),
    )
    .await;
    for ((who, want), got) in refused.iter().zip(got) {
        failures.extend(compare(&row.route, surface, *who, *want, got));
    }
    let after = probe(world).await;
    if before != after {
        let (before, after) = (before.unwrap().1, after.unwrap().1);
        failures.push(format!(
            "{}: the refused cells changed what the probe answers: {before} before, {after} after",
            row.route
        ));
    }
    for (i, (who, want)) in accepted.into_iter().enumerate() {
        let got = if row.fresh && i > 0 {
            let own = e2e::matrix::world(&runner.app, surface).await;
            runner.send(surface, &row.route, &row.request, &own, who).await
        } else {
            runner.send(surface, &row.route, &row.request, world, who).await
        };
        failures.extend(compare(&row.route, surface, who, want, got));
    }
    failures
}

/// A surface's rows, in the table's order, on one world (built only if a row needs it).
async fn run_surface(runner: &Runner, surface: Surface, rows: Vec<&Row>) -> Vec<String> {
    let mut shared = None;
    let mut failures = Vec::new();
    for row in rows {
        if shared.is_none() && !row.fresh {
            shared = Some(world(&runner.app, surface).await);
        }
        failures.extend(run_row(runner, surface, row, shared.as_ref()).await);
    }
    failures
}

#[tokio::test]
async fn every_route_answers_every_identity_as_the_table_says() {
    let table = load_table();
    let routes = template_routes();
    let named: Vec<&str> = table.routes.iter().map(|r| r.route.as_str()).collect();
    let missing: Vec<&String> = routes.keys().filter(|r| !named.contains(&r.as_str())).collect();
    let unknown: Vec<&&str> = named.iter().filter(|r| !routes.contains_key(**r)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&&str> = named.iter().filter(|r| !seen.insert(**r)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty() && twice.is_empty(),
        "{TABLE} must name every route of template.yaml once: missing {missing:?}, unknown {unknown:?}, twice {twice:?}"
    );
    let mut by_surface: BTreeMap<Surface, Vec<&Row>> = BTreeMap::new();
    let mut cells_tried = 0;
    for row in &table.routes {
        let surface = routes[&row.route];
        let cells = cells(row);
        if surface != Surface::Info {
            assert!(
                cells.iter().all(|(who, _)| *who != Identity::Admin),
                "{}: this surface has no admins (admin: n/a)",
                row.route
            );
        }
        cells_tried += cells.len();
        by_surface.entry(surface).or_default().push(row);
    }

    // The shared table: nobase's fixtures are set up on it (`e2e::nobase::World`).
    let runner = Runner::new(spawn_app().await);
    // The surfaces don't share fixtures: they run side by side.
    let failures: Vec<String> = join_all(
        by_surface
            .into_iter()
            .map(|(surface, rows)| run_surface(&runner, surface, rows)),
    )
    .await
    .into_iter()
    .flatten()
    .collect();
    let requests = runner.requests.load(Ordering::Relaxed);
    println!(
        "authorization matrix: {} routes, {cells_tried} cells, {requests} requests (cells and probes)",
        table.routes.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cells_tried} cells answered otherwise than {TABLE} says:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
