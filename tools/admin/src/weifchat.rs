//! `admin weifchat …`

use clap::Subcommand;
use shared::AppState;
use weifchat::WeifState;

#[derive(Subcommand)]
pub enum Command {
    /// Print a fresh weifChat token for an existing user (for `cargo lambda invoke` fixtures,
    /// support), to send as `Authorization: Bearer <token>`.
    Token {
        /// The user's `_id`.
        user_id: String,
    },
}

pub async fn run(cmd: Command, state: &AppState) -> super::Result {
    match cmd {
        Command::Token { user_id } => {
            let exists = shared::ids::is_valid_id(&user_id) && state.weifchat().user(&user_id).await?.is_some();
            super::print_token(state, &user_id, weifchat::AUDIENCE, exists, "weifChat")
        }
    }
}
