//! Notes: in their owner's partition (`NOTE#<id>`, time-ordered IDs), so a user can only ever
//! reach their own.

use super::WeifStore;
use crate::items::{Note, NoteItem};
use crate::keys as k;
use shared::error::AppError;
use shared::keys;
use shared::store::query::Query;
use shared::store::write::{Change, Written};

/// Notes per page of `/notes/get`, as the seed says.
pub const NOTES_PER_PAGE: usize = 12;

impl WeifStore {
    /// Cost: 1 PutItem.
    #[tracing::instrument(skip_all, fields(note_id = %note.id, user_id = %note.user_id))]
    pub async fn add_note(&self, note: &Note) -> Result<(), AppError> {
        let item = serde_dynamo::to_item(NoteItem::new(note))?;
        match Change::new(k::note(&note.user_id, &note.id))
            .when_absent(keys::PK)
            .put(&self.store, item)
            .await?
        {
            Written::Applied(_) => Ok(()),
            Written::Refused(_) => Err(AppError::internal(format!("note {} already exists", note.id))),
        }
    }

    /// Page `page` (from 1) of a user's notes, newest first. The query reads the newest
    /// `page × 12` and keeps the last 12. Cost: 1 Query (more past 1 MB).
    #[tracing::instrument(skip(self))]
    pub async fn notes(&self, user_id: &str, page: usize) -> Result<Vec<Note>, AppError> {
        let items: Vec<NoteItem> = Query::table(k::user_partition(user_id))
            .begins_with(k::NOTE_PREFIX)
            .newest_first()
            .limit(page * NOTES_PER_PAGE)
            .all_as(&self.store)
            .await?;
        Ok(items
            .into_iter()
            .skip((page - 1) * NOTES_PER_PAGE)
            .map(|i| i.note)
            .collect())
    }

    /// Deletes one of the user's notes; another user's note is not found under their key.
    /// Cost: 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn delete_note(&self, user_id: &str, note_id: &str) -> Result<(), AppError> {
        if self.store.delete_if_exists(&k::note(user_id, note_id)).await? {
            Ok(())
        } else {
            Err(AppError::not_found("便签不存在"))
        }
    }
}
