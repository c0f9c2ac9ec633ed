//! `GET /get/friend/noagree`: friend requests the caller has not answered (seed 003 #11).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::friends::requests)).await
}
