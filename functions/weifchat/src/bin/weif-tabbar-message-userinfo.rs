//! `GET /tabbar/message/userinfo`: the caller's nick and avatar for the message tab (seed 003 #4).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::users::tabbar_info)).await
}
