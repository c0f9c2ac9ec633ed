//! `GET /get/group/noagree`: join requests to the caller's groups (seed 003 #25).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::requests)).await
}
