//! Upkeep of the table: functions no client calls, working for every surface at once.
//!
//! - `upkeep-counters`, on the table's stream: recounts the counters of the items that changed
//!   and repairs any that drifted (`shared::counters`); each surface's keys module says which
//!   counters a changed item touches.

use shared::AppState;
use shared::counters::Touched;
use shared::lambda::{StreamEvent, StreamFunction, StreamFuture};

/// Every surface's counters.
pub const SURFACES: &[Touched] = &[
    chatx::keys::counters,
    nobase::keys::counters,
    weifchat::keys::counters,
    info::keys::counters,
];

/// `upkeep-counters`: repairs the counters a batch of stream records touches.
pub fn counters(state: &AppState, event: StreamEvent) -> StreamFuture<'_> {
    Box::pin(shared::counters::on_stream(&state.store, event, SURFACES))
}

/// Every function on the table's stream, for the local gateway.
pub fn stream_functions() -> Vec<StreamFunction> {
    vec![StreamFunction {
        binary: "upkeep-counters",
        handler: counters,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::counters::Counter;
    use shared::keys::Key;

    /// (counter item, attribute, relations partition, prefix) of every counter `key` touches,
    /// over every surface.
    fn touched(key: &Key) -> Vec<(Key, &'static str, String, String)> {
        SURFACES
            .iter()
            .flat_map(|surface| surface(key))
            .map(|c: Counter| (c.item, c.attribute, c.relations_pk, c.relations_prefix))
            .collect()
    }

    #[test]
    fn each_counted_item_touches_its_own_counter_and_nothing_else() {
        let post = chatx::keys::post("p1");
        assert_eq!(
            touched(&chatx::keys::like("p1", "u1")),
            [(post.clone(), "likeCount", post.pk.clone(), "LIKE#".into())]
        );
        assert_eq!(
            touched(&chatx::keys::comment("p1", "c1")),
            [(post.clone(), "commentCount", post.pk.clone(), "COMMENT#".into())]
        );
        assert_eq!(touched(&post).len(), 2);

        let nobase_post = nobase::keys::post("app1", "p1");
        assert_eq!(
            touched(&nobase::keys::like("app1", "p1", "u1")),
            [(nobase_post.clone(), "likeCount", nobase_post.pk.clone(), "LIKE#".into())]
        );

        let space = weifchat::keys::space("s1");
        assert_eq!(
            touched(&weifchat::keys::reply("s1", "c1", "r1")),
            [(space.clone(), "commentCount", space.pk.clone(), "COMMENT#".into())]
        );
        assert_eq!(touched(&weifchat::keys::like("s1", "u1"))[0].1, "likeCount");

        let stats = info::keys::stats(7);
        assert_eq!(
            touched(&info::keys::favorite(7, 3)),
            [(stats.clone(), "favorites_count", stats.pk.clone(), "FAVORITE#".into())]
        );
        let listing = info::keys::comments(Some(7), info::keys::CommentKind::All);
        assert_eq!(
            touched(&Key::new(listing.clone(), "000000000042")),
            [(stats.clone(), "comments_count", listing, String::new())]
        );
        let attrs: Vec<&str> = touched(&stats).iter().map(|t| t.1).collect();
        assert_eq!(attrs, ["likes_count", "favorites_count", "comments_count"]);
    }

    #[test]
    fn items_that_count_nothing_touch_nothing() {
        for key in [
            chatx::keys::user("u1"),
            chatx::keys::account("a"),
            nobase::keys::user("app1", "acct"),
            nobase::keys::app("app1"),
            Key::new(weifchat::keys::space_partition("s1"), "COMMENT"),
            info::keys::info(7),
            Key::new(info::keys::comments(Some(7), info::keys::CommentKind::Image), "1"),
            Key::new(info::keys::comments(None, info::keys::CommentKind::All), "1"),
        ] {
            assert!(touched(&key).is_empty(), "{key:?}: {:?}", touched(&key));
        }
    }
}
