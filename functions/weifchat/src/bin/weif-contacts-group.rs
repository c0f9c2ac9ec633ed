//! `GET /contacts/group`: the caller's groups (seed 003 #20).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::contacts)).await
}
