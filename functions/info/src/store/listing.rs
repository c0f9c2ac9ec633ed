//! `GET /infos`: every filter and order of the seed, at a cost that doesn't grow with the table.
//!
//! Each info has small listing entries ([`EntryItem`]) in the partitions its common listings
//! read: by shelf (published, trashed) for all infos, its category and its author, by ID; and,
//! while published, the recommended (by ID), topped (by `topped_at`) and category-topped (by
//! `category_topped_at`) partitions. An entry carries what listings filter and order by, and is
//! never written by a like or a view. A listing:
//!
//! 1. picks its sources: the user's likes or favorites (`list_type`), the given `id`s, or the
//!    entry partitions of its shelves and scope (authors, else categories, else all; the
//!    recommended partition for `recommend=1` alone);
//! 2. reads them in the order asked, filtering entries by what the partition doesn't already
//!    guarantee, until it has `offset + limit + 1` (several partitions are merged by ID):
//!    - `id` / `created_at`, either direction: the partitions' own order;
//!    - `topped_at desc` (or, with one category, `category_topped_at desc`) then newest: the
//!      topped partition first, then the rest without the topped;
//!    - any other order: the newest [`SORT_WINDOW`] matching infos, sorted (bounded; see
//!      `docs/info.md`);
//! 3. reads the page's infos, stats, the caller's likes and favorites (`liked=check`,
//!    `favorited=check`), authors and categories (`with`) in one batched read.
//!
//! So the common listings read about `offset + limit` small entries (per merged partition) and
//! one batch; filters an entry partition doesn't guarantee read at most [`FILTER_SCAN`] more
//! entries.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::InfoStore;
use super::infos::pair_up;
use crate::items::{CategoryItem, EntryItem, InfoItem, StatsItem, UserItem};
use crate::keys::{self as k, Relation, Scope, Shelf, entity};
use crate::model::{ListQuery, SortField, Trashed};
use shared::error::AppError;
use shared::keys::Key;
use shared::store::Item;
use shared::store::query::Query;

/// How many infos an order that no partition keeps is computed over: the newest matching ones.
pub const SORT_WINDOW: usize = 300;
/// How many entries beyond the page a filter that a partition doesn't guarantee may read.
pub const FILTER_SCAN: usize = 2_000;
/// Entries read per query when a filter may reject many of them.
const FILTER_CHUNK: usize = 100;

/// One info of a page, with what the query asked to add.
#[derive(Debug, Clone)]
pub struct PageEntry {
    pub info: InfoItem,
    pub stats: StatsItem,
    pub liked: Option<bool>,
    pub favorited: Option<bool>,
    pub author: Option<UserItem>,
    pub category: Option<CategoryItem>,
}

/// A page of infos, and whether more follow.
#[derive(Debug, Clone, Default)]
pub struct InfoPage {
    pub entries: Vec<PageEntry>,
    pub has_more: bool,
}

/// What a listing keeps, checked on each entry.
#[derive(Debug, Clone)]
struct Filter {
    authors: Vec<u64>,
    categories: Vec<u64>,
    trashed: Trashed,
    recommend: Option<bool>,
    keyword: Option<String>,
    not_topped: bool,
    not_category_topped: bool,
}

impl Filter {
    fn matches(&self, e: &EntryItem) -> bool {
        (self.authors.is_empty() || self.authors.contains(&e.author_id))
            && (self.categories.is_empty() || self.categories.contains(&e.category_id))
            && self.trashed.includes(e.deleted_at.is_some())
            && self.recommend.is_none_or(|r| r == e.recommend_at.is_some())
            && self.keyword.as_deref().is_none_or(|kw| e.title_lc.contains(kw))
            && !(self.not_topped && e.topped_at.is_some())
            && !(self.not_category_topped && e.category_topped_at.is_some())
    }
}

/// Where candidates come from, in the source's own order.
#[derive(Debug, Clone)]
enum Source {
    /// A partition of listing entries.
    Entries { pk: String, forward: bool },
    /// The infos a user likes or favorites, by ID: the reactions' GSI1 partition.
    Relations { pk: String, forward: bool },
}

/// One listing's reads: its filter, what it has read, and how much more it may.
struct Run<'s, 'a> {
    store: &'s InfoStore<'a>,
    filter: Filter,
    /// Whether the filter may reject entries of the sources (else each query reads exactly
    /// what is still wanted).
    selective: bool,
    budget: usize,
    /// Infos already read whole (for the `id` and relation sources).
    loaded: HashMap<u64, (InfoItem, StatsItem)>,
}

impl Run<'_, '_> {
    /// Up to `want` entries of `source` that pass the filter, in the source's order.
    async fn collect(&mut self, source: &Source, want: usize) -> Result<Vec<EntryItem>, AppError> {
        let (query, forward) = match source {
            Source::Entries { pk, forward } => (Query::table(pk.clone()), *forward),
            Source::Relations { pk, forward } => (Query::gsi1(pk.clone()), *forward),
        };
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        while out.len() < want && self.budget > 0 {
            let missing = want - out.len();
            let chunk = if self.selective {
                missing.max(FILTER_CHUNK)
            } else {
                missing
            }
            .min(self.budget);
            let query = query.clone().limit(chunk).start(start.take());
            let page = if forward { query } else { query.newest_first() }
                .page(self.store.store)
                .await?;
            let items = page.items;
            self.budget = self.budget.saturating_sub(items.len());
            let entries: Vec<EntryItem> = match source {
                Source::Entries { .. } => serde_dynamo::from_items(items)?,
                Source::Relations { .. } => self.load(items).await?,
            };
            out.extend(entries.into_iter().filter(|e| self.filter.matches(e)));
            match page.next {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        out.truncate(want);
        Ok(out)
    }

    /// The infos a page of relation items names, read whole, as entries (in the relations'
    /// order; infos deleted meanwhile left out).
    async fn load(&mut self, relations: Vec<Item>) -> Result<Vec<EntryItem>, AppError> {
        let ids: Vec<u64> = relations
            .iter()
            .filter_map(|r| {
                r.get(k::attr::INFO_ID)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
            })
            .collect();
        let found = self.store.infos(&ids).await?;
        self.loaded.extend(found);
        Ok(ids
            .iter()
            .filter_map(|id| self.loaded.get(id).map(|(i, _)| i.listing_attrs()))
            .collect())
    }

    /// Up to `want` entries of every source, merged by ID in `forward` order.
    async fn collect_merged(
        &mut self,
        sources: &[Source],
        want: usize,
        forward: bool,
    ) -> Result<Vec<EntryItem>, AppError> {
        let mut all = Vec::new();
        for source in sources {
            all.extend(self.collect(source, want).await?);
        }
        if sources.len() > 1 {
            all.sort_by(|a, b| if forward { a.id.cmp(&b.id) } else { b.id.cmp(&a.id) });
            all.dedup_by_key(|e| e.id);
        }
        all.truncate(want);
        Ok(all)
    }
}

/// A sort key's value for an info: `None` is SQL's `NULL`.
fn sort_value(field: SortField, e: &EntryItem, stats: Option<&StatsItem>) -> Option<i64> {
    let stat = |f: fn(&StatsItem) -> i64| stats.map(f);
    match field {
        SortField::Id => Some(e.id as i64),
        SortField::CreatedAt => Some(e.created_at),
        SortField::RecommendAt => e.recommend_at,
        SortField::ToppedAt => e.topped_at,
        SortField::CategoryToppedAt => e.category_topped_at,
        SortField::DeletedAt => e.deleted_at,
        SortField::ViewsCount => stat(|s| s.views_count),
        SortField::LikesCount => stat(|s| s.likes_count),
        SortField::FavoritesCount => stat(|s| s.favorites_count),
        SortField::CommentsCount => stat(|s| s.comments_count),
        SortField::SharesCount => stat(|s| s.shares_count),
        SortField::UpdatedAt => stat(|s| s.updated_at),
    }
}

/// SQL's order: `NULL` first ascending, last descending.
fn compare(order: &[(SortField, bool)], a: &EntryItem, b: &EntryItem, stats: &HashMap<u64, StatsItem>) -> Ordering {
    for &(field, desc) in order {
        let (x, y) = (
            sort_value(field, a, stats.get(&a.id)),
            sort_value(field, b, stats.get(&b.id)),
        );
        let ord = if desc { y.cmp(&x) } else { x.cmp(&y) };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn needs_stats(order: &[(SortField, bool)]) -> bool {
    order.iter().any(|(f, _)| {
        matches!(
            f,
            SortField::ViewsCount
                | SortField::LikesCount
                | SortField::FavoritesCount
                | SortField::CommentsCount
                | SortField::SharesCount
                | SortField::UpdatedAt
        )
    })
}

impl InfoStore<'_> {
    /// A page of infos for `q`, as `viewer` asks (the caller has checked that the viewer may
    /// list trashed infos and, for `list_type`, is signed in). Cost: see the module docs; for
    /// the common listings 1 Query of `offset + limit + 1` entries (per merged partition) and 1
    /// BatchGetItem of the page.
    #[tracing::instrument(skip(self, q))]
    pub async fn list_infos(&self, q: &ListQuery, viewer: Option<u64>) -> Result<InfoPage, AppError> {
        let order = q.order.normalized();
        let want = q.window.offset + q.window.limit + 1;
        let mut filter = Filter {
            authors: q.authors.clone(),
            categories: q.categories.clone(),
            trashed: q.trashed,
            recommend: q.recommend,
            keyword: q.keyword.clone(),
            not_topped: false,
            not_category_topped: false,
        };
        let shelves: &[Shelf] = match q.trashed {
            Trashed::Without => &[Shelf::Published],
            Trashed::With => &[Shelf::Published, Shelf::Trashed],
            Trashed::Only => &[Shelf::Trashed],
        };
        let recommended_only = q.recommend == Some(true) && q.trashed == Trashed::Without;
        let (scopes, scope_filtered): (Vec<Scope>, bool) = if !q.authors.is_empty() {
            (
                q.authors.iter().map(|a| Scope::Author(*a)).collect(),
                !q.categories.is_empty(),
            )
        } else if !q.categories.is_empty() {
            (q.categories.iter().map(|c| Scope::Category(*c)).collect(), false)
        } else {
            (vec![Scope::All], false)
        };
        let by_id = |forward: bool| -> Vec<Source> {
            if let Some(rel) = q.only {
                let user = viewer.unwrap_or_default();
                return vec![Source::Relations {
                    pk: k::relations(user, rel),
                    forward,
                }];
            }
            if recommended_only && scopes == [Scope::All] {
                return vec![Source::Entries {
                    pk: k::RECOMMENDED.into(),
                    forward,
                }];
            }
            shelves
                .iter()
                .flat_map(|shelf| {
                    scopes.iter().map(move |scope| Source::Entries {
                        pk: k::listing(*shelf, *scope),
                        forward,
                    })
                })
                .collect()
        };
        let uses_recommended = q.only.is_none() && recommended_only && scopes == [Scope::All];
        // Whether the filter may reject entries of the sources read by ID: a relation source
        // is filtered by every filter; an entry partition only by what its scope doesn't give.
        let selective = if q.only.is_some() {
            !q.authors.is_empty() || !q.categories.is_empty() || q.keyword.is_some() || q.recommend.is_some()
        } else {
            scope_filtered || q.keyword.is_some() || (q.recommend.is_some() && !uses_recommended)
        };
        let mut run = Run {
            store: self,
            filter: filter.clone(),
            selective,
            // Each merged partition (and a topped one) may need a whole page.
            budget: want * (shelves.len() * scopes.len() + 1) + FILTER_SCAN,
            loaded: HashMap::new(),
        };

        let mut stats: HashMap<u64, StatsItem> = HashMap::new();
        let candidates: Vec<EntryItem> = if let Some(ids) = &q.ids {
            // The given IDs, read whole, filtered and ordered in memory.
            run.loaded = self.infos(ids).await?;
            let mut found: Vec<EntryItem> = run
                .loaded
                .values()
                .map(|(i, _)| i.listing_attrs())
                .filter(|e| filter.matches(e))
                .collect();
            if let Some(rel) = q.only {
                let mine = self
                    .relations_of(viewer.unwrap_or_default(), rel, found.iter().map(|e| e.id))
                    .await?;
                found.retain(|e| mine.contains(&e.id));
            }
            stats = run.loaded.iter().map(|(id, (_, s))| (*id, s.clone())).collect();
            found.sort_by(|a, b| compare(&order, a, b, &stats));
            found
        } else {
            // The topped partitions hold every published topped info (of one category): a scope
            // other than theirs is a filter there.
            let topped_first = match order.as_slice() {
                [(SortField::ToppedAt, true), (SortField::Id, true)]
                    if q.trashed == Trashed::Without && q.only.is_none() =>
                {
                    Some((k::TOPPED.to_owned(), scopes != [Scope::All], false))
                }
                [(SortField::CategoryToppedAt, true), (SortField::Id, true)]
                    if q.trashed == Trashed::Without && q.only.is_none() && q.categories.len() == 1 =>
                {
                    Some((k::category_topped(q.categories[0]), !q.authors.is_empty(), true))
                }
                _ => None,
            };
            match (order.as_slice(), topped_first) {
                ([(SortField::Id, desc)], _) => run.collect_merged(&by_id(!desc), want, !desc).await?,
                (_, Some((pk, scope_filtered, in_category))) => {
                    // The topped first (newest topped first), then the rest without them.
                    run.selective = selective || scope_filtered;
                    let topped = Source::Entries { pk, forward: false };
                    let mut found = run.collect(&topped, want).await?;
                    if in_category {
                        filter.not_category_topped = true;
                    } else {
                        filter.not_topped = true;
                    }
                    run.filter = filter.clone();
                    run.selective = selective;
                    let rest = run.collect_merged(&by_id(false), want - found.len(), false).await?;
                    found.extend(rest);
                    found
                }
                (_, None) => {
                    // No partition keeps this order: sort the newest matching infos.
                    run.budget = SORT_WINDOW * shelves.len() * scopes.len() + FILTER_SCAN;
                    let mut found = run.collect_merged(&by_id(false), SORT_WINDOW, false).await?;
                    if needs_stats(&order) {
                        let ids: Vec<u64> = found.iter().map(|e| e.id).collect();
                        stats = self.stats(&ids).await?;
                    }
                    found.sort_by(|a, b| compare(&order, a, b, &stats));
                    found
                }
            }
        };
        let has_more = candidates.len() > q.window.offset + q.window.limit;
        let page: Vec<&EntryItem> = candidates.iter().skip(q.window.offset).take(q.window.limit).collect();
        let entries = self.assemble(&page, q, viewer, run.loaded).await?;
        Ok(InfoPage { entries, has_more })
    }

    /// Which of `ids` `user` likes (or favorites). Cost: 1 BatchGetItem per 100.
    async fn relations_of(
        &self,
        user: u64,
        relation: Relation,
        ids: impl Iterator<Item = u64>,
    ) -> Result<HashSet<u64>, AppError> {
        let keys: Vec<Key> = ids.map(|id| k::reaction(id, user, relation)).collect();
        let found = self.store.batch_get(&keys, false).await?;
        Ok(found
            .iter()
            .filter_map(|i| {
                i.get(k::attr::INFO_ID)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
            })
            .collect())
    }

    /// The stats of `ids`. Cost: 1 BatchGetItem per 100.
    async fn stats(&self, ids: &[u64]) -> Result<HashMap<u64, StatsItem>, AppError> {
        let keys: Vec<Key> = ids.iter().map(|id| k::stats(*id)).collect();
        let found = self.store.batch_get(&keys, false).await?;
        Ok(serde_dynamo::from_items::<_, StatsItem>(found)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect())
    }

    /// The page's infos with what the query asked to add, read in one batch: infos and stats
    /// (unless already read), the viewer's likes and favorites, authors and categories.
    async fn assemble(
        &self,
        page: &[&EntryItem],
        q: &ListQuery,
        viewer: Option<u64>,
        mut loaded: HashMap<u64, (InfoItem, StatsItem)>,
    ) -> Result<Vec<PageEntry>, AppError> {
        if page.is_empty() {
            return Ok(Vec::new());
        }
        let mut keys: Vec<Key> = Vec::new();
        for e in page.iter().filter(|e| !loaded.contains_key(&e.id)) {
            keys.extend([k::info(e.id), k::stats(e.id)]);
        }
        let checks: Vec<Relation> = [(q.liked, Relation::Like), (q.favorited, Relation::Favorite)]
            .into_iter()
            .filter(|(asked, _)| *asked)
            .map(|(_, r)| r)
            .collect();
        if let Some(v) = viewer {
            for r in &checks {
                keys.extend(page.iter().map(|e| k::reaction(e.id, v, *r)));
            }
        }
        if q.with.author {
            let authors: HashSet<u64> = page.iter().map(|e| e.author_id).collect();
            keys.extend(authors.into_iter().map(k::user));
        }
        if q.with.category {
            let categories: HashSet<u64> = page.iter().map(|e| e.category_id).collect();
            keys.extend(categories.into_iter().map(k::category));
        }
        let items = self.store.batch_get(&keys, false).await?;
        let (mut users, mut categories, mut relations, mut rest) =
            (HashMap::new(), HashMap::new(), HashSet::new(), Vec::new());
        for item in items {
            match super::entity_of(&item) {
                entity::USER => {
                    let u: UserItem = serde_dynamo::from_item(item)?;
                    users.insert(u.id, u);
                }
                entity::CATEGORY => {
                    let c: CategoryItem = serde_dynamo::from_item(item)?;
                    categories.insert(c.id, c);
                }
                entity::LIKE | entity::FAVORITE => {
                    if let Some(key) = Key::of_item(&item) {
                        relations.insert(key);
                    }
                }
                _ => rest.push(item),
            }
        }
        loaded.extend(pair_up(rest)?);
        let check = |r: Relation, id: u64| -> Option<bool> {
            checks
                .contains(&r)
                .then(|| viewer.is_some_and(|v| relations.contains(&k::reaction(id, v, r))))
        };
        Ok(page
            .iter()
            .filter_map(|e| {
                let (info, stats) = loaded.remove(&e.id)?;
                Some(PageEntry {
                    liked: check(Relation::Like, e.id),
                    favorited: check(Relation::Favorite, e.id),
                    author: q.with.author.then(|| users.get(&info.author_id).cloned()).flatten(),
                    category: q
                        .with
                        .category
                        .then(|| categories.get(&info.category_id).cloned())
                        .flatten(),
                    info,
                    stats,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, topped: Option<i64>) -> EntryItem {
        EntryItem {
            pk: String::new(),
            sk: String::new(),
            entity: entity::ENTRY.into(),
            id,
            author_id: 7,
            category_id: 2,
            title_lc: "rust news".into(),
            created_at: id as i64,
            recommend_at: None,
            topped_at: topped,
            category_topped_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn orders_put_nulls_where_sql_does() {
        let (a, b, c) = (entry(1, Some(5)), entry(2, None), entry(3, Some(9)));
        let stats = HashMap::new();
        let mut v = [&a, &b, &c];
        let desc = [(SortField::ToppedAt, true), (SortField::Id, true)];
        v.sort_by(|x, y| compare(&desc, x, y, &stats));
        assert_eq!(v.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 1, 2]);
        let asc = [(SortField::ToppedAt, false), (SortField::Id, false)];
        v.sort_by(|x, y| compare(&asc, x, y, &stats));
        assert_eq!(v.iter().map(|e| e.id).collect::<Vec<_>>(), [2, 1, 3]);
    }

    #[test]
    fn filters_check_what_partitions_do_not() {
        let mut f = Filter {
            authors: vec![],
            categories: vec![3],
            trashed: Trashed::Without,
            recommend: None,
            keyword: Some("news".into()),
            not_topped: false,
            not_category_topped: false,
        };
        assert!(!f.matches(&entry(1, None)), "other category");
        f.categories.clear();
        assert!(f.matches(&entry(1, None)));
        f.not_topped = true;
        assert!(!f.matches(&entry(1, Some(1))));
        f.recommend = Some(true);
        assert!(!f.matches(&entry(1, None)));
        f.recommend = None;
        f.keyword = Some("go".into());
        assert!(!f.matches(&entry(1, None)));
    }
}
