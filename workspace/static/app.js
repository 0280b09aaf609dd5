// The demo workspace page: plain script, no build step. The server renders Block Kit to
// HTML; this file switches people and channels, sends what they do, and refetches what
// is shown whenever the WebSocket says something changed.
"use strict";

const HOME = "home";
const state = { user: "", channel: "", directory: null, view: null, home: null, unread: new Set() };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const reply = await fetch(path, options);
  if (!reply.ok) { throw new Error(`${path}: HTTP ${reply.status}`); }
  return reply.json();
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function person(id) { return state.directory.people.find((p) => p.id === id); }
function dm(user) { return "D" + user; }

function showNotice(text) {
  const notice = $("notice");
  notice.textContent = text || "";
  notice.hidden = !text;
}

// --- sidebar ----------------------------------------------------------------------

function drawSidebar() {
  const channels = $("channels");
  channels.innerHTML = "";
  for (const channel of state.directory.channels) {
    channels.appendChild(navItem(channel.id, "# " + channel.name));
  }
  const apps = $("apps");
  apps.innerHTML = "";
  apps.appendChild(navItem(HOME, state.directory.bot.name + " · Home"));
  apps.appendChild(navItem(dm(state.user), state.directory.bot.name + " · Messages"));
  $("role").textContent = person(state.user).role + " · " + person(state.user).locale + " · " + person(state.user).tz;
}

function navItem(id, label) {
  const item = document.createElement("li");
  item.textContent = label;
  item.dataset.channel = id;
  item.classList.toggle("active", id === state.channel);
  item.classList.toggle("unread", state.unread.has(id) && id !== state.channel);
  item.addEventListener("click", () => openChannel(id));
  return item;
}

function channelTitle(id) {
  if (id === HOME) { return `${state.directory.bot.name} <small>Home</small>`; }
  if (id === dm(state.user)) { return `${state.directory.bot.name} <small>direct messages</small>`; }
  const channel = state.directory.channels.find((c) => c.id === id);
  return channel ? `# ${escapeHtml(channel.name)} <small>${escapeHtml(channel.purpose)}</small>` : escapeHtml(id);
}

async function openChannel(id) {
  state.channel = id;
  state.unread.delete(id);
  drawSidebar();
  $("title").innerHTML = channelTitle(id);
  $("composer").hidden = id === HOME;
  if (id === HOME) {
    await api("/demo/home", { user: state.user });  // the app hears app_home_opened
  }
  await refresh({ toBottom: true });
}

// --- messages ---------------------------------------------------------------------

// Live updates keep the reader's place; a channel just opened, or read to its end, follows
// its newest message.
async function refresh({ toBottom = false } = {}) {
  if (state.channel === HOME) { return drawHome(); }
  const query = `user=${encodeURIComponent(state.user)}&channel=${encodeURIComponent(state.channel)}`;
  const { messages } = await api(`/demo/channel?${query}`);
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const readingAt = list.scrollTop;
  list.innerHTML = messages.length ? messages.map(messageHtml).join("") : '<p class="empty">No messages yet.</p>';
  list.scrollTop = toBottom || atBottom ? list.scrollHeight : readingAt;
}

function messageHtml(message) {
  const classes = ["msg"];
  if (message.ephemeral) { classes.push("ephemeral"); }
  if (message.thread_ts && message.thread_ts !== message.ts) { classes.push("reply"); }
  const meta = [];
  if (message.ephemeral) { meta.push("Only visible to you"); }
  if (message.edited) { meta.push("(edited)"); }
  const initial = escapeHtml((message.author || "?").slice(0, 1).toUpperCase());
  return `<div class="${classes.join(" ")}" data-ts="${escapeHtml(message.ts)}" data-ephemeral="${message.ephemeral}">
    <div class="avatar${message.is_bot ? " bot" : ""}">${initial}</div>
    <div class="body"><div><span class="who">${escapeHtml(message.author)}</span>${message.is_bot ? '<span class="meta">APP</span>' : ""}<span class="meta">${meta.join(" ")}</span></div>
    ${message.html}</div></div>`;
}

async function drawHome() {
  const { view } = await api(`/demo/home?user=${encodeURIComponent(state.user)}`);
  state.home = view;
  $("messages").innerHTML = view
    ? `<div class="home" data-view-id="${escapeHtml(view.id)}">${view.html}</div>`
    : '<p class="empty">Opening Home…</p>';
}

// --- modals -------------------------------------------------------------------------

async function refreshView() {
  const { view } = await api(`/demo/view?user=${encodeURIComponent(state.user)}`);
  state.view = view;
  $("overlay").hidden = !view;
  if (!view) { $("modal-body").innerHTML = ""; return; }
  $("modal-title").textContent = view.title;
  $("modal-body").innerHTML = view.html;
  $("modal-body").dataset.viewId = view.id;
  $("modal-submit").textContent = view.submit;
  $("modal-submit").hidden = !view.submit;
  $("modal-close").textContent = view.close;
}

function elementState(element) {
  const type = element.dataset.type;
  if (type === "static_select" || type === "overflow") {
    const option = element.selectedOptions[0];
    const chosen = option && option.value ? { text: { type: "plain_text", text: option.textContent, emoji: true }, value: option.value } : null;
    return { type, selected_option: chosen };
  }
  if (type === "checkboxes") {
    const options = [...element.querySelectorAll("input:checked")].map(optionOf);
    return { type, selected_options: options };
  }
  if (type === "radio_buttons") {
    const checked = element.querySelector("input:checked");
    return { type, selected_option: checked ? optionOf(checked) : null };
  }
  if (type === "datepicker") { return { type, selected_date: element.value || null }; }
  return { type, value: element.value === "" ? null : element.value };
}

function optionOf(input) {
  const text = input.parentElement.textContent.trim();
  return { text: { type: "plain_text", text, emoji: true }, value: input.value };
}

function collectValues(root) {
  const values = {};
  for (const element of root.querySelectorAll(".bk-input [data-action-id]")) {
    const blockId = element.dataset.blockId;
    values[blockId] = values[blockId] || {};
    values[blockId][element.dataset.actionId] = elementState(element);
  }
  return values;
}

function showErrors(errors) {
  for (const slot of $("modal-body").querySelectorAll(".bk-error")) {
    slot.textContent = errors[slot.dataset.errorFor] || "";
  }
}

async function submitView() {
  if (!state.view) { return; }
  const values = collectValues($("modal-body"));
  const answer = await api("/demo/submit", { user: state.user, view_id: state.view.id, values });
  showErrors(answer.errors || {});
  showNotice(answer.notice);
  if (!Object.keys(answer.errors || {}).length) { await refreshView(); }
}

async function closeView() {
  if (!state.view) { return; }
  await api("/demo/close", { user: state.user, view_id: state.view.id });
  await refreshView();
}

// --- clicks and choices -------------------------------------------------------------

function actionOf(element) {
  const base = { type: element.dataset.type, action_id: element.dataset.actionId, block_id: element.dataset.blockId };
  if (element.tagName === "SELECT") {
    const option = element.selectedOptions[0];
    return { ...base, value: option ? option.value : "", text: option ? option.textContent : "" };
  }
  return { ...base, value: element.dataset.value || "", text: element.textContent };
}

function whereOf(element) {
  const modal = element.closest("#modal-body");
  if (modal) { return { view_id: modal.dataset.viewId, values: collectValues(modal) }; }
  const home = element.closest(".home");
  if (home) { return { view_id: home.dataset.viewId, values: collectValues(home) }; }
  const message = element.closest(".msg");
  return { channel: state.channel, ts: message.dataset.ts, ephemeral: message.dataset.ephemeral === "true" };
}

async function act(element) {
  if (element.dataset.url) { window.open(element.dataset.url, "_blank", "noopener"); }
  const answer = await api("/demo/action", { user: state.user, action: actionOf(element), where: whereOf(element) });
  showNotice(answer.notice);
}

function interactive(element) {
  return element && !element.closest(".bk-input") && element.dataset.actionId !== undefined;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.bk-button");
  if (interactive(button)) { event.preventDefault(); act(button); }
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select.bk-select");
  if (interactive(select) && select.value) { act(select); }
});

// --- the message box ----------------------------------------------------------------

function drawHint() {
  const text = $("box").value;
  const hint = $("hint");
  if (!text.startsWith("/")) { hint.hidden = true; return; }
  const typed = text.split(" ")[0];
  const matches = state.directory.commands.filter((c) => c.command.startsWith(typed) || typed.startsWith(c.command));
  hint.hidden = !matches.length;
  hint.innerHTML = matches.map((c) => `<div><span class="cmd">${escapeHtml(c.command)}</span> <span class="usage">${escapeHtml(c.usage_hint)}</span><div class="bk-hint">${escapeHtml(c.description)}</div></div>`).join("");
}

async function send(event) {
  event.preventDefault();
  const text = $("box").value.trim();
  if (!text) { return; }
  $("box").value = "";
  drawHint();
  const body = { user: state.user, channel: state.channel, text };
  const answer = await api(text.startsWith("/") ? "/demo/command" : "/demo/message", body);
  showNotice(answer.notice);
}

// --- live updates -------------------------------------------------------------------

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/demo/live`);
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.kind === "channel") {
      if (event.channel === state.channel) { refresh(); } else { state.unread.add(event.channel); drawSidebar(); }
    } else if (event.kind === "view" && event.user === state.user) {
      refreshView();
    } else if (event.kind === "home" && event.user === state.user && state.channel === HOME) {
      refresh();
    }
  };
  socket.onopen = () => { document.body.dataset.live = "yes"; };
  socket.onclose = () => { document.body.dataset.live = "no"; setTimeout(connect, 1000); };
}

async function switchUser(user) {
  state.user = user;
  $("user").value = user;
  const channel = state.channel.startsWith("D") || !state.channel ? state.directory.channels[0].id : state.channel;
  await openChannel(channel);
  await refreshView();
}

async function start() {
  state.directory = await api("/demo/directory");
  const select = $("user");
  select.innerHTML = state.directory.people.map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)} (${escapeHtml(p.role)})</option>`).join("");
  select.addEventListener("change", () => switchUser(select.value));
  $("box").addEventListener("input", drawHint);
  $("composer").addEventListener("submit", send);
  $("modal-submit").addEventListener("click", submitView);
  $("modal-close").addEventListener("click", closeView);
  $("modal-x").addEventListener("click", closeView);
  $("modal-body").addEventListener("submit", (event) => { event.preventDefault(); submitView(); });
  connect();
  const wanted = new URLSearchParams(location.search);
  state.channel = wanted.get("channel") || "";
  await switchUser(wanted.get("user") || state.directory.people[0].id);
  document.body.dataset.ready = "yes";
}

start();
