//! Cost must not grow with the table: with 1,000 infos in the table, each common listing reads
//! about one page of items, and `liked=check` / `favorited=check` ride in the page's one
//! batched read. Counted with the request log's items read per call.
//!
//! The 1,000 infos are the items the store's create writes (`InfoItem`, `StatsItem::new`,
//! `InfoItem::entries`, and both `RelationItem`s of likes and favorites), written with batch writes into
//! a table of this test's own: moto copies the whole table for each item of every transaction,
//! so filling it through 1,000 transactions, or sharing it with the other tests, would take
//! minutes and gigabytes.

use e2e::serde_json::Value;
use e2e::{TestApp, spawn_app_on_own_table};
use info::items::RelationItem;
use info::keys::{self as k, Relation, Scope, Shelf};
use shared::store::Item;
use shared::store::observe::Call;

const INFOS: u64 = 1_000;
const LIMIT: usize = 15;

/// What creating info `id` writes, and the likes and favorites of `fan` on some of them.
fn items(id: u64, authors: [u64; 2], categories: [u64; 2], fan: u64) -> Vec<Item> {
    let now = shared::clock::now_ms() - (INFOS - id) as i64 * 1_000;
    let mut items = e2e::info::filler_info(id, authors[(id % 2) as usize], categories[(id % 3 % 2) as usize], now);
    for (every, relation) in [(20, Relation::Like), (25, Relation::Favorite)] {
        if id.is_multiple_of(every) {
            items.push(serde_dynamo::to_item(RelationItem::new(relation, id, fan, now)).unwrap());
        }
    }
    items
}

async fn fill(app: &TestApp, authors: [u64; 2], categories: [u64; 2], fan: u64) {
    let all: Vec<Item> = (1..=INFOS).flat_map(|id| items(id, authors, categories, fan)).collect();
    app.put_all(all).await;
}

fn read(calls: &[Call]) -> usize {
    calls.iter().map(|c| c.items_read).sum()
}

fn ops(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.operation.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn common_listings_read_about_one_page_with_a_thousand_infos_in_the_table() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let (writer, fan) = (app.info_user().await, app.info_user().await);
    let categories = [app.category(&admin).await, app.category(&admin).await];
    fill(&app, [admin.id, writer.id], categories, fan.id).await;
    let published = app.count_items(&k::listing(Shelf::Published, Scope::All), "").await;
    assert_eq!(published, INFOS as usize, "the table holds {INFOS} infos");
    app.calls("info-list");

    // (listing, query, requests): the items read must stay about one page (the page's entries,
    // or the caller's likes, plus the infos and their stats; one more of each to know whether
    // a next page exists), whatever the table holds.
    let page_read = 3 * (LIMIT + 1);
    let listings = [
        ("newest first", String::new(), vec!["Query", "BatchGetItem"]),
        (
            "by category",
            format!("category_id={}", categories[0]),
            vec!["Query", "BatchGetItem"],
        ),
        (
            "by author",
            format!("author_id={}", writer.id),
            vec!["Query", "BatchGetItem"],
        ),
        ("recommended", "recommend=1".into(), vec!["Query", "BatchGetItem"]),
        (
            "topped",
            "order=topped_at desc,created_at desc".into(),
            vec!["Query", "BatchGetItem"],
        ),
        (
            "category topped",
            format!(
                "category_id={}&order=category_topped_at desc,created_at desc",
                categories[0]
            ),
            vec!["Query", "Query", "BatchGetItem"],
        ),
        (
            "liked by me",
            "list_type=only_liked".into(),
            vec!["Query", "BatchGetItem"],
        ),
        (
            "favorited by me",
            "list_type=only_favorited".into(),
            vec!["Query", "BatchGetItem"],
        ),
    ];
    for (name, query, requests) in listings {
        let page = app
            .rest_ok(200, "GET", &format!("/api/v2/infos?{query}"), Some(&fan.token), None)
            .await;
        assert_eq!(page.as_array().unwrap().len(), LIMIT, "{name}: a full page");
        let calls = app.calls("info-list");
        assert_eq!(ops(&calls), requests, "{name}");
        assert!(
            read(&calls) <= page_read,
            "{name}: read {} items: {calls:?}",
            read(&calls)
        );
    }

    // The caller's likes and favorites for a page: one batched read, with the page's infos.
    let page = app
        .rest_ok(
            200,
            "GET",
            "/api/v2/infos?liked=check&favorited=check",
            Some(&fan.token),
            None,
        )
        .await;
    assert!(
        page.as_array()
            .unwrap()
            .iter()
            .all(|i| i["liked"].is_boolean() && i["favorited"].is_boolean())
    );
    let calls = app.calls("info-list");
    assert_eq!(ops(&calls), ["Query", "BatchGetItem"]);
    assert!(read(&calls) <= page_read + 2 * LIMIT, "{calls:?}");

    // Deep offsets read the skipped infos' small entries, not the infos.
    let deep = app.rest_ok(200, "GET", "/api/v2/infos?offset=300", None, None).await;
    assert_eq!(deep.as_array().unwrap().len(), LIMIT);
    let calls = app.calls("info-list");
    assert_eq!(ops(&calls), ["Query", "BatchGetItem"]);
    assert_eq!(calls[0].items_read, 300 + LIMIT + 1, "entries up to the page");
    assert!(calls[1].items_read <= 2 * LIMIT, "only the page's infos and stats");

    // A single info, its comments and the categories don't grow with the table either.
    let first: &Value = &page[0];
    app.rest_ok(
        200,
        "GET",
        &format!("/api/v2/infos/{}", first["id"]),
        Some(&fan.token),
        None,
    )
    .await;
    let calls = app.calls("info-get");
    assert_eq!(ops(&calls).len(), 2);
    assert!(read(&calls) <= 4, "{calls:?}");
}
