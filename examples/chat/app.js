// weifChat browser demo: the REST routes (docs/weifchat.md) for accounts, friends, groups and
// history, and the chat socket (functions/weifchat/src/socket.rs, chat.rs) for live messages and
// notices. No framework, no build step. The table is the truth: after a reconnect the open chat
// fetches what it missed from /message/sync/{type}.
'use strict';

// ---- where the API is: this origin, or ?api=<REST base URL>&ws=<socket URL> ----
const query = new URLSearchParams(location.search);
const API = (query.get('api') || location.origin).replace(/\/+$/, '');
const WS = query.get('ws') || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

const $ = (id) => document.getElementById(id);
const state = {
  me: null,          // {id, nick, token}
  unread: new Map(), // friend or group ID -> unread count
  open: null,        // the open chat: {type: 'friend'|'group', id, name, lastSeq, ids}
};

// ---- small UI helpers ----
function showError(text) {
  const box = $('error');
  box.textContent = text;
  box.hidden = false;
}
function showInfo(text) { $('info').textContent = text; }

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

// Runs an async UI action, showing its failure instead of losing it.
function guarded(action) {
  return (event) => {
    event?.preventDefault?.();
    Promise.resolve().then(action).catch((e) => showError(e.message));
  };
}

// ---- REST: envelopes {status, msg, data} (HTTP 200 even for refusals) ----
async function api(method, path, params = {}, { accept = [200] } = {}) {
  let url = API + path;
  const init = { method, headers: {} };
  if (state.me) init.headers.authorization = `Bearer ${state.me.token}`;
  if (method === 'GET') {
    url += '?' + new URLSearchParams(params);
  } else {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(params);
  }
  const response = await fetch(url, init);
  const env = await response.json().catch(() => ({ status: response.status, msg: response.statusText }));
  if (!accept.includes(env.status)) {
    const detail = Array.isArray(env.data) ? env.data.map((f) => f.msg).join(', ') : '';
    throw new Error(`${path}: ${env.status} ${env.msg || ''} ${detail}`.trim());
  }
  return env;
}
const me = () => state.me.id;

// ---- account ----
function credentials() {
  return { phone: $('phone').value.trim(), password: $('password').value };
}
async function register() {
  const env = await api('POST', '/register', { ...credentials(), nick: $('nick').value.trim() });
  signedIn(env.data);
}
async function login() {
  const env = await api('POST', '/login', credentials());
  signedIn(env.data);
}
function signedIn(data) {
  state.me = { id: data._id, nick: data.nick, token: data.token };
  sessionStorage.setItem('weifchat-demo', JSON.stringify(state.me));
  $('my-nick').textContent = data.nick;
  $('my-id').textContent = data._id;
  $('me').hidden = false;
  $('auth').hidden = true;
  $('app').hidden = false;
  $('error').hidden = true;
  socket.start();
  refreshAll().catch((e) => showError(e.message));
}
function logout() {
  socket.send('logout', {});
  socket.stop();
  sessionStorage.removeItem('weifchat-demo');
  location.reload();
}

// ---- lists: friends, groups, requests, unread counts ----
async function refreshAll() {
  await Promise.all([loadFriends(), loadGroups(), loadRequests(), loadUnread()]);
}

function contactItem(type, id, name) {
  const li = el('li', { dataset: { testid: type, id } },
    el('button', { type: 'button', className: 'open', textContent: name, onclick: guarded(() => openChat(type, id, name)) }),
    el('span', { className: 'badge', hidden: true, dataset: { testid: 'unread' } }));
  li.classList.toggle('active', state.open?.id === id);
  return li;
}

async function loadFriends() {
  const env = await api('GET', '/contacts/friend', { userId: me() });
  $('friends').replaceChildren(...env.data.filter((f) => f.friendId)
    .map((f) => contactItem('friend', f.friendId._id, f.friendId.nick)));
  renderBadges();
}

async function loadGroups() {
  const env = await api('GET', '/contacts/group', { userId: me() });
  $('groups').replaceChildren(...env.data.filter((g) => g.groupId)
    .map((g) => contactItem('group', g.groupId._id, g.groupId.groupName)));
  renderBadges();
}

async function loadRequests() {
  const [friends, groups] = await Promise.all([
    api('GET', '/get/friend/noagree', { userId: me() }),
    api('GET', '/get/group/noagree', { userId: me() }),
  ]);
  $('friend-requests').replaceChildren(...friends.data.filter((r) => r.friendId).map((r) =>
    el('li', { dataset: { testid: 'friend-request', id: r.friendId._id } },
      el('span', { className: 'name', textContent: `${r.friendId.nick} wants to be friends` }),
      el('button', { type: 'button', textContent: 'Agree', dataset: { testid: 'agree-friend' }, onclick: guarded(() => agreeFriend(r.friendId._id)) }))));
  $('group-requests').replaceChildren(...groups.data.filter((r) => r.userId && r.groupId).map((r) =>
    el('li', { dataset: { testid: 'group-request', id: r.userId._id, group: r.groupId._id } },
      el('span', { className: 'name', textContent: `${r.userId.nick} asks to join ${r.groupId.groupName}` }),
      el('button', { type: 'button', textContent: 'Agree', dataset: { testid: 'agree-group' }, onclick: guarded(() => agreeGroup(r.userId._id, r.groupId._id)) }))));
  showNoticeCount(friends.data.length + groups.data.length);
}

function showNoticeCount(n) {
  $('notice-count').textContent = n;
  $('notice-count').hidden = !n;
}

async function loadUnread() {
  const env = await api('GET', '/message/list', { userId: me() });
  state.unread = new Map(env.data.map((c) => [c._id, c.unreadMsgCount]));
  if (state.open) state.unread.set(state.open.id, 0);
  renderBadges();
}

function renderBadges() {
  for (const li of document.querySelectorAll('#friends li, #groups li')) {
    const n = state.unread.get(li.dataset.id) || 0;
    const badge = li.querySelector('.badge');
    badge.textContent = n;
    badge.hidden = n === 0;
  }
}

// ---- friend and group requests ----
async function addFriend(friendId) {
  const env = await api('POST', '/friend/add', { userId: me(), friendId });
  showInfo(env.msg);
}
async function agreeFriend(friendId) {
  const env = await api('POST', '/friend/agree', { userId: me(), friendId });
  showInfo(env.msg);
  await Promise.all([loadRequests(), loadFriends()]);
}
async function createGroup(groupName) {
  const env = await api('POST', '/create/group', { userId: me(), groupName, sign: 'A weifChat demo group' });
  showInfo(env.msg);
  await loadGroups();
}
async function joinGroup(groupId) {
  const env = await api('POST', '/group/add', { groupId, userId: me() });
  showInfo(env.msg);
}
async function agreeGroup(userId, groupId) {
  const env = await api('POST', '/group/agree', { userId, groupId });
  showInfo(env.msg);
  await loadRequests();
}

async function search(keyword) {
  const env = await api('GET', '/search', { keyword }, { accept: [200, 400] });
  const users = env.data?.friendList || [];
  const groups = env.data?.groupList || [];
  $('search-results').replaceChildren(
    ...users.filter((u) => u._id !== me()).map((u) => el('li', { dataset: { testid: 'search-user', id: u._id } },
      el('span', { className: 'name', textContent: u.nick }),
      el('button', { type: 'button', textContent: 'Add friend', dataset: { testid: 'add-found-friend' }, onclick: guarded(() => addFriend(u._id)) }))),
    ...groups.map((g) => el('li', { dataset: { testid: 'search-group', id: g._id } },
      el('span', { className: 'name', textContent: g.groupName }),
      el('button', { type: 'button', textContent: 'Ask to join', dataset: { testid: 'join-group' }, onclick: guarded(() => joinGroup(g._id)) }))));
  if (!users.length && !groups.length) showInfo(env.msg || 'nothing found');
}

// ---- chats: history on open, live frames, catch-up after reconnecting ----
async function openChat(type, id, name) {
  const chat = { type, id, name, lastSeq: null, ids: new Set() };
  state.open = chat;
  $('chat-title').textContent = `${type === 'friend' ? 'Chat with' : 'Group'} ${name}`;
  $('chat').dataset.type = type;
  $('chat').dataset.id = id;
  $('messages').replaceChildren();
  $('message-input').disabled = $('send').disabled = false;
  for (const li of document.querySelectorAll('#friends li, #groups li')) li.classList.toggle('active', li.dataset.id === id);
  // join_group answers the group's last sequence number, the point to sync from.
  if (type === 'group') socket.send('join_group', { gId: id });
  const env = type === 'friend'
    ? await api('GET', '/message/friend', { userId: me(), friendId: id }, { accept: [200, 202] })
    : await api('GET', '/message/group', { userId: me(), groupId: id }, { accept: [200, 202] });
  if (state.open !== chat) return;
  if (env.status !== 200) return showError(env.msg);
  const list = env.data.messageList;
  // Each message carries its seq (addMessage keeps the last); an empty chat syncs from 0.
  list.forEach(addMessage);
  chat.lastSeq ??= 0;
  await markRead();
}

// A message from a history page, a push or a sync page, in one shape.
function normalize(m) {
  return {
    id: m._id,
    from: m.fromId ?? m.userId?._id,
    nick: m.userId?.nick ?? '',
    text: m.msgType === 0 ? m.message : `[type ${m.msgType}] ${m.message}`,
    seq: m.seq,
  };
}

// Appends a message to the open chat once (by ID; one's own sent message by its text).
function addMessage(raw) {
  const chat = state.open;
  const m = normalize(raw);
  if (m.seq != null) chat.lastSeq = Math.max(chat.lastSeq ?? 0, m.seq);
  if (chat.ids.has(m.id)) return;
  chat.ids.add(m.id);
  if (m.from === me()) {
    const mine = [...document.querySelectorAll('#messages li[data-state="sent"]')].find((li) => li.dataset.text === m.text);
    if (mine) return Object.assign(mine.dataset, { id: m.id, state: 'stored', seq: m.seq ?? '' });
  }
  renderMessage({ ...m, state: 'stored' });
}

function renderMessage(m) {
  const li = el('li', { className: m.from === me() ? 'mine' : 'theirs', dataset: { testid: 'message', id: m.id || '', seq: m.seq ?? '', state: m.state, text: m.text } },
    el('span', { className: 'from', textContent: m.from === me() ? 'me' : m.nick }),
    el('span', { className: 'text', textContent: m.text }));
  $('messages').append(li);
  li.scrollIntoView({ block: 'end' });
}

function sendMessage() {
  const chat = state.open;
  const text = $('message-input').value;
  if (!chat || !text.trim()) return;
  const dataMsg = { msgType: 0, message: text };
  const frame = chat.type === 'friend' ? { dataMsg, fId: chat.id } : { dataMsg, gId: chat.id };
  if (!socket.send(chat.type === 'friend' ? 'private_chat' : 'group_chat', frame)) {
    return showError('Not connected: the message was not sent (reconnecting…)');
  }
  // The socket answers nothing on success (only an error frame): show it as sent.
  renderMessage({ from: me(), text, state: 'sent' });
  $('message-input').value = '';
}

async function markRead() {
  const chat = state.open;
  if (!chat) return;
  state.unread.set(chat.id, 0);
  renderBadges();
  await api('GET', `/message/read/${chat.type}`, { userId: me(), id: chat.id });
}

// After a reconnect: the open chat's messages after the last seq seen (100 a page, oldest first).
async function syncOpenChat() {
  const chat = state.open;
  if (!chat) return;
  const seq = chat.lastSeq ?? 0;
  let cursor = '';
  for (let page = 0; page < 50; page++) {
    const env = await api('GET', `/message/sync/${chat.type}`,
      { userId: me(), id: chat.id, seq, cursor }, { accept: [200, 202] });
    if (state.open !== chat || env.status !== 200) return;
    env.data.messageList.forEach(addMessage);
    if (!env.data.next) break;
    cursor = env.data.next;
  }
  await markRead();
}

// ---- frames from the socket ----
const handlers = {
  login: (connectionId) => { $('ws-status').title = `connection ${connectionId}`; },
  init_apply_notice: (d) => showNoticeCount(d.friendNoticeNum + d.groupNoticeNum),
  apply_notice: () => loadRequests(),
  agree_apply: () => Promise.all([loadFriends(), loadGroups(), loadRequests()]),
  join_group: (d) => {
    if (state.open?.id === d.gId) state.open.lastSeq = Math.max(state.open.lastSeq ?? 0, d.lastSeq);
  },
  private_chat: (m) => {
    const peer = m.fromId === me() ? m.toId : m.fromId;
    if (state.open?.type === 'friend' && state.open.id === peer) addMessage(m);
  },
  group_chat: (m) => {
    if (state.open?.type === 'group' && state.open.id === m.toId) addMessage(m);
  },
  unread_message: (id) => {
    if (state.open?.id === id) return markRead();
    state.unread.set(id, (state.unread.get(id) || 0) + 1);
    renderBadges();
  },
  error: (d) => {
    showError(`${d.action}: ${d.status} ${d.msg}`);
    if (d.action === 'private_chat' || d.action === 'group_chat') {
      const sent = document.querySelectorAll('#messages li[data-state="sent"]');
      if (sent.length) sent[sent.length - 1].dataset.state = 'failed';
    }
  },
};

// The chat socket: reconnects with exponential backoff (0.5 s doubling to 30 s, jittered) and,
// once open again, refreshes the lists and syncs the open chat.
const socket = {
  ws: null,
  wanted: false,
  attempts: 0,
  timer: null,
  start() {
    this.wanted = true;
    this.connect();
  },
  stop() {
    this.wanted = false;
    clearTimeout(this.timer);
    this.ws?.close();
    this.setStatus('offline');
  },
  setStatus(s) {
    $('ws-status').textContent = s;
    $('ws-status').dataset.state = s;
  },
  connect() {
    this.setStatus(this.attempts ? 'reconnecting' : 'connecting');
    const url = `${WS}${WS.includes('?') ? '&' : '?'}token=${encodeURIComponent(state.me.token)}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      const reconnected = this.attempts > 0;
      this.attempts = 0;
      this.setStatus('online');
      this.send('login', {});
      this.send('init_apply_notice', {});
      if (state.open?.type === 'group') this.send('join_group', { gId: state.open.id });
      if (reconnected) {
        Promise.all([refreshAll(), syncOpenChat()]).catch((e) => showError(e.message));
      }
    };
    ws.onmessage = (e) => {
      let frame;
      try { frame = JSON.parse(e.data); } catch { return showError(`unreadable frame: ${e.data}`); }
      const handle = handlers[frame.event];
      if (handle) Promise.resolve(handle(frame.data)).catch((err) => showError(err.message));
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.wanted) return;
      const delay = Math.min(30000, 500 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
      this.setStatus('reconnecting');
      this.timer = setTimeout(() => this.connect(), delay);
    };
  },
  // Sends a frame if the socket is open; false otherwise.
  send(action, data) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ action, data }));
    return true;
  },
};

// ---- wiring ----
$('register').addEventListener('click', guarded(register));
$('auth-form').addEventListener('submit', guarded(login));
$('logout').addEventListener('click', logout);
$('error').addEventListener('click', () => { $('error').hidden = true; });
$('add-friend-form').addEventListener('submit', guarded(async () => {
  await addFriend($('friend-id').value.trim());
  $('friend-id').value = '';
}));
$('search-form').addEventListener('submit', guarded(() => search($('search-keyword').value.trim())));
$('create-group-form').addEventListener('submit', guarded(async () => {
  await createGroup($('group-name').value.trim());
  $('group-name').value = '';
}));
$('composer').addEventListener('submit', guarded(sendMessage));

// A reload keeps the session of this tab.
const saved = sessionStorage.getItem('weifchat-demo');
if (saved) {
  const s = JSON.parse(saved);
  signedIn({ _id: s.id, nick: s.nick, token: s.token });
}
