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
    void subwordPieces();
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

// Byte-pair encoding on top of the word tokenizer: merges learnt from the corpus, pieces
// that rebuild the words, the merges travel in the options' JSON, malformed ones are refused.
void TstTextTokenizer::subwordPieces()
{
    using graft::text::Tokenizer;
    const Tokenizer words;
    std::vector<QStringList> corpus;
    const QStringList base = {"excelente", "excelentes", "buenísimo", "buenísima", "horrible",
                              "horribles", "cómodo", "cómoda", "incómodo", "ruidoso"};
    for (int i = 0; i < 300; ++i)
        corpus.push_back(words.tokenize(QStringLiteral("el hotel es %1 y la cama %2 .")
                                            .arg(base[i % base.size()], base[(i * 7) % base.size()])));
    auto model = Tokenizer::trainSubwords(corpus, 40);
    QVERIFY2(model.ok(), qPrintable(model ? QString() : model.error().message()));
    QVERIFY(!model->isEmpty());
    // The most frequent pair is learnt first: "e" + "l" in "el", "excelente", "hotel"...
    QVERIFY2(model->size() <= 40, qPrintable(QString::number(model->size())));

    Tokenizer::Options o;
    o.subwordMerges = model.value();
    const Tokenizer pieces(o);
    QVERIFY(pieces.isValid());
    const QStringList t = pieces.tokenize(QStringLiteral("¡Muy INCÓMODOS!"));
    QVERIFY2(t.size() >= 3, qPrintable(t.join('|')));
    // Pieces put back together give the word tokens (U+2581 marks where a word starts).
    QString joined = t.join(QString()).replace(QChar(0x2581), QLatin1Char(' ')).trimmed();
    QCOMPARE(joined, words.tokenize(QStringLiteral("¡Muy INCÓMODOS!")).join(QLatin1Char(' ')));
    // A word never seen whole is cut into known pieces.
    const QStringList unseen = pieces.tokenize(QStringLiteral("incómodos"));
    QVERIFY2(unseen.size() >= 2, qPrintable(unseen.join('|')));
    // maxTokens counts pieces.
    o.maxTokens = 2;
    QCOMPARE(Tokenizer(o).tokenize(QStringLiteral("excelentes horribles cómodas")).size(), 2);

    // The model survives the JSON round trip (base64) and tokenises the same.
    const Tokenizer::Options back = Tokenizer::Options::fromJson(Tokenizer(o).options().toJson());
    QCOMPARE(back.subwordMerges, model.value());
    QCOMPARE(Tokenizer(back).tokenize(QStringLiteral("hotel ruidoso")),
             Tokenizer(o).tokenize(QStringLiteral("hotel ruidoso")));

    // Whole frequent words become one piece; <num> stays whole.
    auto big = Tokenizer::trainSubwords(corpus, 400);
    QVERIFY(big.ok());
    Tokenizer::Options bo;
    bo.subwordMerges = big.value();
    QCOMPARE(Tokenizer(bo).tokenize(QStringLiteral("el hotel 42")),
             QStringList({QStringLiteral("\u2581el"), QStringLiteral("\u2581hotel"),
                          QStringLiteral("\u2581<num>")}));

    // Malformed merges: not valid, words instead of pieces.
    Tokenizer::Options bad;
    bad.subwordMerges = {QStringLiteral("no-space-here")};
    QVERIFY(!Tokenizer(bad).isValid());
    QCOMPARE(Tokenizer(bad).tokenize(QStringLiteral("hola mundo")), QStringList({"hola", "mundo"}));
    QVERIFY(!Tokenizer::trainSubwords(corpus, 4).ok());
}

QTEST_APPLESS_MAIN(TstTextTokenizer)
#include "tst_TextTokenizer.moc"
