//! `admin nobase …`: developers, apps, boards, posts and user statuses of the nobase BBS, written
//! through the same store the functions use. docs/nobase.md walks through setting up a BBS.

use clap::{Args, Subcommand};
use nobase::NobaseState;
use nobase::{
    AccountRange, App, AppChange, AppStatus, Board, Content, Date, Developer, DeveloperChange, DeveloperStatus, Post,
    PostStatus, Title, UserStatus, signature,
};
use shared::AppState;
use shared::{clock, ids};

#[derive(Subcommand)]
pub enum Command {
    /// Developer accounts: status and the date their VIP is paid until.
    #[command(subcommand)]
    Developer(DeveloperCommand),
    /// Apps: signature, status, token mode, account lengths, post review.
    #[command(subcommand)]
    App(AppCommand),
    /// An app's boards (the `uid` of the API).
    #[command(subcommand)]
    Board(BoardCommand),
    /// Posts: add one, or approve / hold one for review.
    #[command(subcommand)]
    Post(PostCommand),
    /// Users of an app: their status.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
pub enum DeveloperCommand {
    /// Create a developer (prints its ID).
    Add {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Last day the VIP is paid for (YYYY-MM-DD, China Standard Time).
        #[arg(long)]
        vip_until: Date,
        /// The developer's ID (default: a new one).
        #[arg(long)]
        id: Option<String>,
    },
    /// Change a developer.
    Set {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        status: Option<DeveloperStatus>,
        #[arg(long)]
        vip_until: Option<Date>,
    },
    Show {
        id: String,
    },
}

#[derive(Args)]
pub struct AppSettings {
    /// Users act with a token from login (`true`) or with user + pass (`false`).
    #[arg(long)]
    token_mode: Option<bool>,
    /// New posts start under review.
    #[arg(long)]
    post_review: Option<bool>,
    /// Shortest account, in characters.
    #[arg(long)]
    account_min: Option<u32>,
    /// Longest account, in characters (at most 64).
    #[arg(long)]
    account_max: Option<u32>,
}

#[derive(Subcommand)]
pub enum AppCommand {
    /// Create an app of a developer; prints its appid and its signature (shown only here: the
    /// table keeps only its digest).
    Add {
        #[arg(long)]
        developer: String,
        #[arg(long)]
        name: String,
        /// The appid (default: a new one).
        #[arg(long)]
        appid: Option<String>,
        /// The signature (default: a new random one); at least 16 characters.
        #[arg(long)]
        signature: Option<String>,
        #[command(flatten)]
        settings: AppSettings,
    },
    /// Change an app.
    Set {
        appid: String,
        #[arg(long)]
        name: Option<String>,
        /// Move the app to another (existing) developer; its users' tokens stop working.
        #[arg(long)]
        developer: Option<String>,
        #[arg(long)]
        status: Option<AppStatus>,
        /// Replace the signature with a new random one (printed).
        #[arg(long, conflicts_with = "signature")]
        new_signature: bool,
        /// Replace the signature with this one (at least 16 characters).
        #[arg(long)]
        signature: Option<String>,
        #[command(flatten)]
        settings: AppSettings,
    },
    Show {
        appid: String,
    },
}

#[derive(Subcommand)]
pub enum BoardCommand {
    /// Create a board in an app (prints its uid).
    Add {
        appid: String,
        #[arg(long)]
        name: String,
        /// The board's uid (default: a new one).
        #[arg(long)]
        uid: Option<String>,
    },
    /// An app's boards.
    List { appid: String },
}

#[derive(Subcommand)]
pub enum PostCommand {
    /// Add a post (by the operator, without an author) to a board; prints its id.
    Add {
        appid: String,
        uid: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        content: String,
        /// Start under review.
        #[arg(long)]
        review: bool,
    },
    /// Approve a post (`normal`) or hold it for review (`review`).
    Set {
        appid: String,
        id: String,
        #[arg(long)]
        status: PostStatus,
    },
    Show {
        appid: String,
        id: String,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Set a user's status (`abnormal` users are refused everywhere).
    Set {
        appid: String,
        account: String,
        #[arg(long)]
        status: UserStatus,
    },
    Show {
        appid: String,
        account: String,
    },
}

fn id_or_new(id: Option<String>, what: &str) -> super::Result<String> {
    match id {
        Some(id) if ids::is_valid_id(&id) => Ok(id),
        Some(id) => Err(format!("{what} `{id}` must be 1-64 of A-Z a-z 0-9 _ -").into()),
        None => Ok(ids::new_id()),
    }
}

fn name(raw: &str) -> super::Result<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > 64 {
        return Err("a name is 1-64 characters".into());
    }
    Ok(raw.to_owned())
}

fn chosen_signature(raw: &str) -> super::Result<String> {
    if raw.chars().count() < signature::MIN_LEN || raw.trim() != raw {
        return Err(format!(
            "a signature is at least {} characters, without surrounding spaces",
            signature::MIN_LEN
        )
        .into());
    }
    Ok(raw.to_owned())
}

fn print_developer(d: &Developer) {
    println!("developer:  {}", d.developer_id);
    println!("name:       {}", d.name);
    println!("status:     {}", d.status);
    println!("vip until:  {}", d.vip_until);
}

fn print_app(a: &App) {
    println!("appid:       {}", a.appid);
    println!("name:        {}", a.name);
    println!("developer:   {}", a.developer_id);
    println!("status:      {}", a.status);
    println!("token mode:  {}", a.token_mode);
    println!("accounts:    {}-{} characters", a.accounts.min(), a.accounts.max());
    println!("post review: {}", a.post_review);
}

fn print_post(p: &Post) {
    println!("id:      {}", p.id);
    println!("board:   {}", p.uid);
    println!("title:   {}", p.title);
    println!("status:  {}", p.status);
    println!("likes:   {}", p.like_count);
    println!(
        "author:  {}",
        if p.author.is_empty() { "(operator)" } else { &p.author }
    );
}

pub async fn run(cmd: Command, state: &AppState) -> super::Result {
    let store = state.nobase();
    match cmd {
        Command::Developer(DeveloperCommand::Add { name: n, vip_until, id }) => {
            let developer = Developer {
                developer_id: id_or_new(id, "developer id")?,
                name: name(&n)?,
                status: DeveloperStatus::Normal,
                vip_until,
                create_time: clock::now_ms(),
            };
            store.create_developer(&developer).await?;
            print_developer(&developer);
        }
        Command::Developer(DeveloperCommand::Set {
            id,
            name: n,
            status,
            vip_until,
        }) => {
            let change = DeveloperChange {
                name: n.as_deref().map(name).transpose()?,
                status,
                vip_until,
            };
            print_developer(&store.update_developer(&id, change).await?);
        }
        Command::Developer(DeveloperCommand::Show { id }) => {
            let developer = store.developer(&id).await?.ok_or(format!("no developer {id}"))?;
            print_developer(&developer);
        }
        Command::App(AppCommand::Add {
            developer,
            name: n,
            appid,
            signature: chosen,
            settings,
        }) => {
            let sig = match chosen {
                Some(s) => chosen_signature(&s)?,
                None => signature::generate(),
            };
            let accounts = AccountRange::new(
                settings.account_min.unwrap_or(AccountRange::DEFAULT.min()),
                settings.account_max.unwrap_or(AccountRange::DEFAULT.max()),
            )?;
            let app = App {
                appid: id_or_new(appid, "appid")?,
                developer_id: developer,
                name: name(&n)?,
                status: AppStatus::Normal,
                token_mode: settings.token_mode.unwrap_or(true),
                accounts,
                post_review: settings.post_review.unwrap_or(false),
                signature_digest: signature::digest(&sig),
                create_time: clock::now_ms(),
            };
            store.create_app(&app).await?;
            print_app(&app);
            println!("signature:   {sig}");
            eprintln!("(the signature is shown only now; the table keeps only its digest)");
        }
        Command::App(AppCommand::Set {
            appid,
            name: n,
            developer,
            status,
            new_signature,
            signature: chosen,
            settings,
        }) => {
            let accounts = match (settings.account_min, settings.account_max) {
                (None, None) => None,
                (min, max) => {
                    let current = store.app(&appid).await?.ok_or(format!("no app {appid}"))?.accounts;
                    Some(AccountRange::new(
                        min.unwrap_or(current.min()),
                        max.unwrap_or(current.max()),
                    )?)
                }
            };
            let sig = match (new_signature, chosen) {
                (true, _) => Some(signature::generate()),
                (false, Some(s)) => Some(chosen_signature(&s)?),
                (false, None) => None,
            };
            let change = AppChange {
                name: n.as_deref().map(name).transpose()?,
                developer_id: developer,
                status,
                token_mode: settings.token_mode,
                accounts,
                post_review: settings.post_review,
                signature_digest: sig.as_deref().map(signature::digest),
            };
            print_app(&store.update_app(&appid, change).await?);
            if let Some(sig) = sig {
                println!("signature:   {sig}");
            }
        }
        Command::App(AppCommand::Show { appid }) => {
            let app = store.app(&appid).await?.ok_or(format!("no app {appid}"))?;
            print_app(&app);
        }
        Command::Board(BoardCommand::Add { appid, name: n, uid }) => {
            let board = Board {
                appid,
                uid: id_or_new(uid, "board uid")?,
                name: name(&n)?,
                create_time: clock::now_ms(),
            };
            store.create_board(&board).await?;
            println!("uid:  {}", board.uid);
            println!("name: {}", board.name);
        }
        Command::Board(BoardCommand::List { appid }) => {
            for board in store.boards(&appid).await? {
                println!("{}\t{}", board.uid, board.name);
            }
        }
        Command::Post(PostCommand::Add {
            appid,
            uid,
            title,
            content,
            review,
        }) => {
            let post = Post {
                appid,
                id: ids::new_id(),
                uid,
                title: Title::parse(&title)?.into_inner(),
                content: Content::parse(&content)?.into_inner(),
                author_id: String::new(),
                author: String::new(),
                status: if review { PostStatus::Review } else { PostStatus::Normal },
                like_count: 0,
                create_time: clock::now_ms(),
            };
            store.add_post(&post).await?;
            print_post(&post);
        }
        Command::Post(PostCommand::Set { appid, id, status }) => {
            print_post(&store.set_post_status(&appid, &id, status).await?);
        }
        Command::Post(PostCommand::Show { appid, id }) => {
            let post = store
                .post(&appid, &id)
                .await?
                .ok_or(format!("no post {id} in app {appid}"))?;
            print_post(&post);
        }
        Command::User(UserCommand::Set { appid, account, status }) => {
            let user = store.set_user_status(&appid, &account, status).await?;
            println!("{}\t{}\t{}", user.account, user.user_id, user.status);
        }
        Command::User(UserCommand::Show { appid, account }) => {
            let (user, _) = store
                .user(&appid, &account)
                .await?
                .ok_or(format!("no user {account} in app {appid}"))?;
            println!("{}\t{}\t{}", user.account, user.user_id, user.status);
        }
    }
    Ok(())
}
