//! `admin chatx …`

use chatx::ChatxState;
use clap::Subcommand;
use shared::AppState;

#[derive(Subcommand)]
pub enum Command {
    /// Print a fresh chatx token for an existing user (for `cargo lambda invoke` fixtures, support).
    Token {
        /// The user's ID.
        user_id: String,
    },
}

pub async fn run(cmd: Command, state: &AppState) -> super::Result {
    match cmd {
        Command::Token { user_id } => {
            let exists = shared::ids::is_valid_id(&user_id) && state.chatx().profile(&user_id).await?.is_some();
            super::print_token(state, &user_id, chatx::AUDIENCE, exists, "chatx")
        }
    }
}
