"""Words the demo community is made of: names, categories, tags and post fragments (English and Russian)."""

FIRST_NAMES = [
    "anna", "boris", "carla", "dmitri", "elena", "farid", "greta", "hugo", "irina", "jamal", "katya", "liam",
    "maria", "nikolai", "olga", "pavel", "quinn", "rosa", "sergei", "tanya", "umar", "vera", "wes", "xenia",
    "yuri", "zoe", "alex", "bea", "chen", "dana", "emil", "fatima", "gleb", "hana", "igor", "julia", "kai",
    "lena", "mark", "nina", "oscar", "priya", "ruslan", "sofia", "timur", "ulla", "victor", "yana",
]
LAST_NAMES = [
    "ivanova", "smith", "petrov", "garcia", "kuznetsov", "mueller", "sokolova", "nguyen", "popov", "rossi",
    "lebedev", "kim", "novak", "orlov", "silva", "volkova", "berg", "morozov", "tanaka", "fedorov",
]

CATEGORIES = [
    ("Announcements", "announcements", "News from the community team.", "#b2453c", True),
    ("Getting Started", "getting-started", "New here? Say hello and ask anything, no question is too small.", "#1f7a6d", False),
    ("Help & Support", "help", "Stuck on something? Describe what you tried and what happened.", "#22689b", False),
    ("Show and Tell", "show-and-tell", "Share what you built and get feedback.", "#7349a6", False),
    ("Ideas & Feedback", "ideas", "Suggestions for the product and the community.", "#c26a1b", False),
    ("Events & Meetups", "events", "Online and offline meetups, talks and workshops.", "#4d7c2b", False),
    ("Off-topic", "off-topic", "Everything else, kindly.", "#5d6b78", False),
    ("Русскоязычный раздел", "ru", "Вопросы и обсуждения на русском языке.", "#9b3f86", False),
]

TAGS = [
    "python", "django", "postgres", "celery", "redis", "deployment", "beginners", "css", "javascript", "htmx",
    "testing", "performance", "security", "docs", "api", "search", "mobile", "design", "accessibility",
    "i18n", "meetups", "feedback", "release", "migration", "docker", "linux", "career", "mentoring", "ideas", "bug",
]

TITLES_EN = [
    "How do I {verb} {thing} in {tool}?", "{Tool} {thing} keeps failing after upgrade",
    "Best way to {verb} {thing}?", "Show: I built a {thing} with {tool}", "Question about {thing} and {tool}",
    "Is there a guide to {verb} {thing}?", "{Tool}: {thing} is slow on large data", "First time here: {verb} {thing}",
    "Idea: better {thing} for newcomers", "Meetup notes: {thing} with {tool}",
]
TITLES_RU = [
    "Как {verb_ru} {thing_ru} в {tool}?", "Проблема с {thing_ru} после обновления {tool}",
    "Подскажите, как лучше {verb_ru} {thing_ru}", "Показываю: мой проект на {tool}", "Вопрос новичка про {thing_ru}",
]
VERBS = ["configure", "deploy", "test", "speed up", "debug", "migrate", "secure", "translate", "cache", "index"]
THINGS = ["background jobs", "full-text search", "the login page", "database migrations", "static files",
          "email templates", "the API", "rate limits", "user profiles", "query performance", "file uploads"]
TOOLS = ["Django", "PostgreSQL", "Celery", "Redis", "htmx", "Python", "gunicorn", "nginx"]
VERBS_RU = ["настроить", "развернуть", "протестировать", "ускорить", "отладить", "перевести", "кешировать"]
THINGS_RU = ["фоновые задачи", "полнотекстовый поиск", "страницу входа", "миграции базы данных", "статические файлы",
             "шаблоны писем", "ограничения частоты запросов", "профили пользователей"]

SENTENCES_EN = [
    "I followed the documentation step by step but the result is not what I expected.",
    "Here is what I tried so far, and the error message I get every time.",
    "Thanks, this solved it for me! The trick was to run the migration before restarting the worker.",
    "Have you checked that the environment variable is actually set inside the container?",
    "Welcome to the community! Glad you asked, this trips up a lot of people.",
    "The slow part is the query without an index; adding a composite index made it ten times faster.",
    "We discussed this at the last meetup, the slides are in the events category.",
    "I would start with the official tutorial and then read the deployment checklist.",
    "Could you share the full traceback? It is hard to tell from the summary alone.",
    "Great write-up, bookmarking this for the next time our team upgrades.",
    "In my experience caching helps, but measure first so you know where the time goes.",
    "This is a known limitation; the workaround is to split the job into smaller batches.",
    "Searching the forum for the error text usually finds a thread with the answer.",
    "Keep the transaction short and enqueue the background task after commit.",
]
SENTENCES_RU = [
    "Я сделал всё по документации, но результат не совпадает с ожидаемым.",
    "Спасибо, это помогло! Нужно было перезапустить воркер после миграции.",
    "Добро пожаловать! Хороший вопрос, с этим сталкиваются многие новички.",
    "Медленный запрос без индекса; после добавления составного индекса всё ускорилось.",
    "Покажите, пожалуйста, полный текст ошибки, так будет проще помочь.",
    "Рекомендую начать с официального руководства, а потом прочитать чек-лист развёртывания.",
    "Поиск по форуму по тексту ошибки обычно находит ответ.",
    "Кеширование помогает, но сначала измерьте, где именно тратится время.",
]
CODE_SNIPPETS = [
    "```python\nthread = Thread.objects.select_related(\"category\").get(pk=thread_id)\n```",
    "```bash\npython manage.py migrate && python manage.py check --deploy\n```",
    "```sql\nCREATE INDEX CONCURRENTLY thread_latest ON forums_thread (last_posted_at DESC);\n```",
    "`CELERY_TASK_ACKS_LATE = True`",
]

# The moderation demo (seed_demo._moderation): a spammer the community flagged away, and posts waiting for a moderator.
CATEGORY_MODERATOR_OF = "help"
SPAMMER = "watch_deals_4u"
SPAM_TITLE = "Designer watches at factory prices, message me today"
SPAM_POSTS = [
    "Genuine designer watches at factory prices. Message me today for the catalogue.",
    "Still selling watches, 70% off this week only. Message me.",
    "New models arrived: gold, silver, leather straps. Write to me for prices.",
    "Free shipping on every watch ordered before Sunday, just message me.",
    "Buy two watches, get a third one free. Ask me how.",
    "My customers love these watches, read the reviews and message me.",
    "Last chance: the summer collection is almost sold out. Message me now.",
    "Wholesale prices for resellers too, ask for the price list.",
    "Gift boxes included with every watch, perfect for birthdays. Message me.",
    "Limited edition watches back in stock, only five left. Write to me quickly.",
]
SPAM_REASON = "Advertising: the account only posted adverts."
FLAGGED_OFF_TOPIC = "Honestly, just switch to another framework, this one is a waste of everyone's time."
FLAGGED_ABUSIVE = "Nobody cares about your toy project. Stop posting this rubbish here."
# Posts with this word wait for a moderator before anyone else sees them (a watched word, action "hold").
HOLD_WORD = "casino"
HELD_POSTS = [
    "I fixed it by taking a break at the online casino, works every time!",
    "Anyone here want casino bonus codes? I have plenty to share.",
]
