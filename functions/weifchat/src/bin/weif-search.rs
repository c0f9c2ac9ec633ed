//! `GET /search`: search users and groups (seed 003 #7).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::users::search)).await
}
