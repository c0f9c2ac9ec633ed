//! Notes: in their owner's partition (`NOTE#<id>`, time-ordered IDs), so a user can only ever
//! reach their own.

use super::{NOT_EXISTS, Query, WeifStore};
use crate::items::{Note, NoteItem};
use crate::keys as k;
use shared::error::AppError;
use shared::keys;

/// Notes per page of `/notes/get`, as the seed says.
pub const NOTES_PER_PAGE: usize = 12;

impl WeifStore {
    /// Cost: 1 PutItem.
    pub async fn add_note(&self, note: &Note) -> Result<(), AppError> {
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(serde_dynamo::to_item(NoteItem::new(note))?))
            .condition_expression(NOT_EXISTS)
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await?;
        Ok(())
    }

    /// Page `page` (from 1) of a user's notes, newest first. The query reads the newest
    /// `page × 12` and keeps the last 12. Cost: 1 Query (more past 1 MB).
    pub async fn notes(&self, user_id: &str, page: usize) -> Result<Vec<Note>, AppError> {
        let items: Vec<NoteItem> = self
            .query_as(Query {
                forward: false,
                limit: Some(page * NOTES_PER_PAGE),
                ..Query::prefix(k::user_partition(user_id), k::NOTE_PREFIX)
            })
            .await?;
        Ok(items
            .into_iter()
            .skip((page - 1) * NOTES_PER_PAGE)
            .map(|i| i.note)
            .collect())
    }

    /// Deletes one of the user's notes; another user's note is not found under their key.
    /// Cost: 1 DeleteItem.
    pub async fn delete_note(&self, user_id: &str, note_id: &str) -> Result<(), AppError> {
        if self.delete_if_exists(&k::note(user_id, note_id)).await? {
            Ok(())
        } else {
            Err(AppError::not_found("便签不存在"))
        }
    }
}
