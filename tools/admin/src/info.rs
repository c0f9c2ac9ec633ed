//! `admin info …`: abilities, verifications and tokens of info-module users.

use clap::Subcommand;
use info::INFOS_ADMIN;
use info::InfoState;
use info::items::{UserItem, Verification};
use shared::AppState;

#[derive(Subcommand)]
pub enum Command {
    /// Grant the infos:admin ability (manage categories; publish, feature and trash infos).
    Grant {
        /// The user's ID.
        user_id: u64,
    },
    /// Revoke the infos:admin ability.
    Revoke { user_id: u64 },
    /// Set a user's verification (shown with `with=author.verification`).
    Verify {
        user_id: u64,
        /// The kind of verification, e.g. `user` or `org`.
        #[arg(long = "type")]
        kind: String,
        /// What was verified, e.g. `Staff writer`.
        #[arg(long)]
        description: String,
    },
    /// Remove a user's verification.
    Unverify { user_id: u64 },
    /// Print a fresh info-module token for an existing user.
    Token { user_id: u64 },
}

fn show(user: &UserItem) {
    let verified = user
        .verification
        .as_ref()
        .map_or("no".to_owned(), |v| format!("{} ({})", v.kind, v.description));
    println!(
        "user {} {:?}: abilities [{}], verified: {verified}",
        user.id,
        user.name,
        user.abilities.join(", ")
    );
}

pub async fn run(cmd: Command, state: &AppState) -> super::Result {
    let store = state.info();
    match cmd {
        Command::Grant { user_id } => show(&store.set_ability(user_id, INFOS_ADMIN, true).await?),
        Command::Revoke { user_id } => show(&store.set_ability(user_id, INFOS_ADMIN, false).await?),
        Command::Verify {
            user_id,
            kind,
            description,
        } => {
            let verification = Verification {
                kind,
                description,
                created_at: shared::clock::now_ms(),
            };
            show(&store.set_verification(user_id, Some(verification)).await?)
        }
        Command::Unverify { user_id } => show(&store.set_verification(user_id, None).await?),
        Command::Token { user_id } => {
            let exists = store.user(user_id, true).await?.is_some();
            super::print_token(state, &user_id.to_string(), info::AUDIENCE, exists, "info")?;
        }
    }
    Ok(())
}
