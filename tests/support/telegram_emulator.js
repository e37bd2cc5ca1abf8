// The Telegram Bot API emulator (npm telegram-test-api) with the fixes python-telegram-bot needs:
//  - getMe answers with is_bot (python-telegram-bot refuses a bot without it);
//  - the bot's messages are dated in seconds, as Telegram does (the emulator uses milliseconds);
//  - callback queries carry chat_instance, which Telegram always sends;
//  - a webhook is called with the secret_token it was registered with (X-Telegram-Bot-Api-Secret-Token),
//    and the updates it delivered stay in the history (GET-able through /getUpdatesHistory);
// and what the bot tests need beyond it:
//  - setMyCommands, deleteMyCommands, sendChatAction, answerCallbackQuery answered and remembered (GET /testing/calls);
//  - chats that blocked the bot (POST /testing/block {chatId}) get Telegram's 403 on sendMessage;
//  - a token containing INVALID is refused (401), as Telegram refuses a revoked token;
//  - editMessageReplyMarkup and editMessageText change the stored message (an absent or empty keyboard removes
//    it) and answer true; GET /testing/messages?token=T&chatId=C gives the bot's messages as they are now;
//  - setWebhook delivers the updates that waited while no webhook was set, as Telegram does.
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

let server;

function edited(req, res) {
  const body = { ...req.query, ...req.body };
  const stored = server.storage.botMessages.find((u) => String(u.messageId) === String(body.message_id)
    && String(u.message.chat_id) === String(body.chat_id));
  if (!stored) {
    res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
    return;
  }
  const markup = typeof body.reply_markup === 'string' ? JSON.parse(body.reply_markup) : body.reply_markup;
  const message = { ...stored.message, edits: (stored.message.edits || 0) + 1 };
  if (body.text !== undefined) message.text = body.text;
  if (markup && markup.inline_keyboard && markup.inline_keyboard.length) message.reply_markup = markup;
  else delete message.reply_markup;
  stored.message = message;
  res.json({ ok: true, result: true });
}

const fixes = [
  (app) => {
    app.all('/bot:token/getMe', (req, res, next) => {
      if (req.params.token.includes('INVALID')) {
        res.status(401).json({ ok: false, error_code: 401, description: 'Unauthorized' });
        return;
      }
      next();
    });
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
  remembered('answerCallbackQuery'),
  (app) => {
    app.all('/bot:token/editMessageReplyMarkup', edited);
    app.all('/bot:token/editMessageText', edited);
    app.all('/bot:token/setWebhook', (req, res) => {
      const token = req.params.token;
      const webhook = req.body.url ? req.body : req.query;
      server.setWebhook(webhook, token);
      res.json({ ok: true, result: true });
      const waiting = server.storage.userMessages.filter((u) => u.botToken === token && !u.isRead);
      server.storage.userMessages = server.storage.userMessages.filter((u) => !waiting.includes(u));
      (async () => {
        for (const update of waiting) {
          try {
            await server.addUserUpdate(update);
          } catch (err) {
            process.stderr.write(`delivering a waiting update failed: ${err}\n`);
          }
        }
      })();
    });
    app.get('/testing/messages', (req, res) => {
      res.json(server.storage.botMessages
        .filter((u) => u.botToken === req.query.token && String(u.message.chat_id) === String(req.query.chatId))
        .map((u) => ({ ...u.message, message_id: u.messageId })));
    });
    app.get('/testing/calls', (_req, res) => res.json(calls));
    app.post('/testing/block', (req, res) => {
      blocked.add(String(req.body.chatId));
      res.json({ ok: true });
    });
  },
];
routes.unshift(...fixes);

server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });
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
