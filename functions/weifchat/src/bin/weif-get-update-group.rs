//! `GET /get/update/group`: the owner's view of a group for editing (seed 003 #21).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::edit_info)).await
}
