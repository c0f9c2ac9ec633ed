//! `GET /del/groupUser`: leave a group, or the owner removes a member (seed 003 #23).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::remove_member)).await
}
