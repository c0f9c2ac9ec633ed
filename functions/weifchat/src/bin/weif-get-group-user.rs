//! `GET /get/groupUser`: a group's members (seed 003 #17).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::members)).await
}
