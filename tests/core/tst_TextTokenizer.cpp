#include "graft/text/Tokenizer.h"
#include "graft/text/Vocabulary.h"

#include <QtTest>

using namespace graft::text;

class TstTextTokenizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenize_data();
    void tokenize();
    void foldAccents();
    void maxTokens();
    void vocabulary();
};

void TstTextTokenizer::tokenize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("fold");
    QTest::addColumn<QStringList>("tokens");
    QTest::newRow("es accents kept")
        << QStringLiteral("¿Qué CANCIÓN es ésta? ¡Ñandú!") << false
        << QStringList{"¿", "qué", "canción", "es", "ésta", "?", "¡", "ñandú", "!"};
    QTest::newRow("es accents folded") << QStringLiteral("¿Qué CANCIÓN? Ñandú") << true
                                       << QStringList{"¿", "que", "cancion", "?", "nandu"};
    QTest::newRow("es contractions and clitics")
        << QStringLiteral("Vino del hotel al coche; dámelo ya.") << false
        << QStringList{"vino", "del", "hotel", "al", "coche", ";", "dámelo", "ya", "."};
    QTest::newRow("en negation") << QStringLiteral("I don't like it, it wasn't good.") << false
                                 << QStringList{"i",  "do",  "not", "like", "it", ",",
                                                "it", "was", "not", "good", "."};
    QTest::newRow("en can't won't") << QStringLiteral("Can't and WON'T") << false
                                    << QStringList{"can", "not", "and", "will", "not"};
    QTest::newRow("en clitics") << QStringLiteral("It’s what we'd say, you're right") << false
                                << QStringList{"it",  "'s", "what", "we",  "'d",
                                               "say", ",",  "you",  "'re", "right"};
    QTest::newRow("numbers") << QStringLiteral("Costó 1.299,50 euros en 2019, 3 veces") << false
                             << QStringList{"costó", "<num>", "euros", "en",
                                            "<num>", ",",     "<num>", "veces"};
    QTest::newRow("urls") << QStringLiteral("Ver https://example.com/a?b=1 o www.tienda.es.")
                          << false << QStringList{"ver", "<url>", "o", "<url>"};
    QTest::newRow("punctuation runs")
        << QStringLiteral("Wow... great!!! (really)") << false
        << QStringList{"wow", "...", "great", "!!!", "(", "really", ")"};
    QTest::newRow("hyphen and mp3") << QStringLiteral("Un reproductor mp3 todo-terreno.") << false
                                    << QStringList{"un", "reproductor", "mp3", "todo-terreno", "."};
    QTest::newRow("german sharp s and greek")
        << QStringLiteral("STRASSE Ωmega") << false << QStringList{"strasse", "ωmega"};
}

void TstTextTokenizer::tokenize()
{
    QFETCH(QString, text);
    QFETCH(bool, fold);
    QFETCH(QStringList, tokens);
    Tokenizer::Options o;
    o.foldAccents = fold;
    QCOMPARE(Tokenizer(o).tokenize(text), tokens);
}

void TstTextTokenizer::foldAccents()
{
    QCOMPARE(Tokenizer::foldAccents(QStringLiteral("pingüino Àéîõü ñ")),
             QStringLiteral("pinguino Aeiou n"));
}

void TstTextTokenizer::maxTokens()
{
    Tokenizer::Options o;
    o.maxTokens = 3;
    QCOMPARE(Tokenizer(o).tokenize(QStringLiteral("uno dos tres cuatro cinco")),
             QStringList({"uno", "dos", "tres"}));
    Tokenizer::Options back = Tokenizer::Options::fromJson(o.toJson());
    QCOMPARE(back.maxTokens, 3);
}

void TstTextTokenizer::vocabulary()
{
    const std::vector<QStringList> docs = {{"b", "a", "a", "c"}, {"a", "b", "d"}, {"e"}};
    const Vocabulary v = Vocabulary::build(docs, 2);
    QCOMPARE(v.size(), 4);
    QCOMPARE(v.token(0), QStringLiteral("<pad>"));
    QCOMPARE(v.token(1), QStringLiteral("<unk>"));
    QCOMPARE(v.token(2), QStringLiteral("a")); // 3 times
    QCOMPARE(v.token(3), QStringLiteral("b")); // 2 times
    QCOMPARE(v.encode({"a", "zzz", "b"}), (std::vector<int64_t>{2, 1, 3}));
    const Vocabulary capped = Vocabulary::build(docs, 1, 5);
    QCOMPARE(capped.size(), 5);
    QCOMPARE(capped.tokens().mid(2), QStringList({"a", "b", "c"})); // ties alphabetical
    const Vocabulary back = Vocabulary::fromJson(capped.toJson());
    QCOMPARE(back.tokens(), capped.tokens());
}

QTEST_APPLESS_MAIN(TstTextTokenizer)
#include "tst_TextTokenizer.moc"
