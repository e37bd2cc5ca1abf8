// The Telegram Bot API emulator (npm telegram-test-api) with the fixes python-telegram-bot needs:
//  - getMe answers with is_bot (python-telegram-bot refuses a bot without it);
//  - the bot's messages are dated in seconds, as Telegram does (the emulator uses milliseconds);
//  - callback queries carry chat_instance, which Telegram always sends;
//  - a webhook is called with the secret_token it was registered with (X-Telegram-Bot-Api-Secret-Token),
//    and the updates it delivered stay in the history (GET-able through /getUpdatesHistory);
// and what the bot tests need beyond it:
//  - setMyCommands, deleteMyCommands, sendChatAction answered and remembered (GET /testing/calls);
//  - chats that blocked the bot (POST /testing/block {chatId}) get Telegram's 403 on sendMessage.
// Usage: node telegram_emulator.js PORT   (prints "READY PORT" once listening)
'use strict';

const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index');

const port = Number(process.argv[2] || 9000);
const calls = [];
const blocked = new Set();

function remembered(method) {
  return (app) => {
    app.all(`/bot:token/${method}`, (req, res) => {
      calls.push({ method, body: { ...req.query, ...req.body }, time: Date.now() });
      res.json({ ok: true, result: true });
    });
  };
}

const fixes = [
  (app) => {
    app.all('/bot:token/getMe', (_req, res) => {
      res.json({
        ok: true,
        result: {
          id: 666, is_bot: true, first_name: 'CNHT Test', username: 'CnhtTestBot',
          can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
        },
      });
    });
  },
  (app) => {
    app.all('/bot:token/sendMessage', (req, res, next) => {
      if (blocked.has(String(req.body.chat_id))) {
        res.status(403).json({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
        return;
      }
      next();
    });
  },
  remembered('setMyCommands'),
  remembered('deleteMyCommands'),
  remembered('sendChatAction'),
  (app) => {
    app.get('/testing/calls', (_req, res) => res.json(calls));
    app.post('/testing/block', (req, res) => {
      blocked.add(String(req.body.chatId));
      res.json({ ok: true });
    });
  },
];
routes.unshift(...fixes);

const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });
const addBotMessage = server.addBotMessage.bind(server);
server.addBotMessage = (raw, token) => {
  const message = addBotMessage(raw, token);
  return { ...message, date: Math.floor(message.date / 1000) };
};
server.addUserUpdate = async (update) => {
  const webhook = server.webhooks[update.botToken];
  if (!webhook) {
    server.storage.userMessages.push(update);
  } else {
    const headers = webhook.secret_token ? { 'X-Telegram-Bot-Api-Secret-Token': webhook.secret_token } : {};
    const response = await fetch(webhook.url, {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(TelegramServer.formatUpdate(update)),
    });
    if (response.status > 204) {
      throw new Error(`webhook ${webhook.url} answered ${response.status}`);
    }
    server.storage.userMessages.push({ ...update, isRead: true });
  }
  server.updateId++;
};

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  if (formatted.callback_query) {
    formatted.callback_query.chat_instance = String(formatted.callback_query.message.chat.id);
  }
  return formatted;
};
server.start().then(() => {
  process.stdout.write(`READY ${port}\n`);
});
