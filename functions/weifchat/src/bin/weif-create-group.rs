//! `POST /create/group`: create a group (seed 003 #14).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::create)).await
}
