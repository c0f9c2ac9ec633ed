//! `admin`: the operator's command line. It works on the same table as the functions, through
//! the shared store, with the same configuration (`TABLE_NAME`, `TOKEN_SECRET`, the AWS SDK's
//! credentials, region and `AWS_ENDPOINT_URL_DYNAMODB`). Locally, `scripts/admin.sh` runs it
//! against `make dev`'s DynamoDB API server.
//!
//! Each surface adds its commands as a module and a variant of [`Command`].

mod chatx;
mod info;
mod nobase;
mod weifchat;

use clap::{Parser, Subcommand};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Parser)]
#[command(name = "admin", about = "Operate the social backend's table")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The table itself.
    #[command(subcommand)]
    Table(TableCommand),
    /// chatx accounts and tokens.
    #[command(subcommand)]
    Chatx(chatx::Command),
    /// nobase BBS: developers, apps, boards, posts, user statuses.
    #[command(subcommand)]
    Nobase(nobase::Command),
    /// weifChat users and tokens.
    #[command(subcommand)]
    Weifchat(weifchat::Command),
    /// info-module users: the infos:admin ability, verifications, tokens.
    #[command(subcommand)]
    Info(info::Command),
}

#[derive(Subcommand)]
enum TableCommand {
    /// Create TABLE_NAME from template.yaml's definition unless it exists (local DynamoDB API
    /// servers only; in AWS the stack creates it).
    Ensure,
}

/// The operator's commands may touch storage and connections as well as the store.
const ADMIN_CLIENTS: &[shared::state::Client] = &[shared::state::STORAGE, shared::state::PUSH];

#[tokio::main]
async fn main() -> Result {
    let cli = Cli::parse();
    match cli.command {
        Command::Table(TableCommand::Ensure) => ensure_table().await,
        Command::Chatx(cmd) => chatx::run(cmd, &shared::AppState::from_env(ADMIN_CLIENTS).await?).await,
        Command::Nobase(cmd) => nobase::run(cmd, &shared::AppState::from_env(ADMIN_CLIENTS).await?).await,
        Command::Weifchat(cmd) => weifchat::run(cmd, &shared::AppState::from_env(ADMIN_CLIENTS).await?).await,
        Command::Info(cmd) => info::run(cmd, &shared::AppState::from_env(ADMIN_CLIENTS).await?).await,
    }
}

async fn ensure_table() -> Result {
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none() {
        return Err("`table ensure` is for local DynamoDB API servers: set AWS_ENDPOINT_URL_DYNAMODB".into());
    }
    let name = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let template = stack::Template::load(stack::template_path())?;
    let sdk = shared::state::sdk_config().await;
    let created = stack::table::ensure_table(&aws_sdk_dynamodb::Client::new(&sdk), &name, &template.table).await?;
    println!("{name}: {}", if created { "created" } else { "exists" });
    Ok(())
}

/// Prints a fresh token of `audience` for `user_id`, a user of `surface` who must exist.
fn print_token(
    state: &shared::AppState,
    user_id: &str,
    audience: shared::auth::Audience,
    exists: bool,
    surface: &str,
) -> Result {
    if !exists {
        return Err(format!("no {surface} user {user_id}").into());
    }
    println!("{}", state.tokens.issue(user_id, audience)?);
    Ok(())
}
