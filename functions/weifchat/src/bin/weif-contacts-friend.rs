//! `GET /contacts/friend`: the caller's friends (seed 003 #9).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::friends::contacts)).await
}
