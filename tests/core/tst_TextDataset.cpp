#include "support/TestSupport.h"

#include "graft/text/TextDataset.h"
#include "graft/text/TextDecoder.h"
#include "graft/text/TextSplits.h"

#include <QJsonArray>
#include <QSet>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QtTest>

using namespace graft::text;
using namespace Qt::Literals::StringLiterals;
using graft::test::writeFile;

namespace {

QByteArray utf16(const QString &s, bool bigEndian)
{
    QByteArray out = bigEndian ? QByteArray("\xFE\xFF", 2) : QByteArray("\xFF\xFE", 2);
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        const char hi = char(u >> 8), lo = char(u & 0xFF);
        out.append(bigEndian ? hi : lo);
        out.append(bigEndian ? lo : hi);
    }
    return out;
}

bool hasIssue(const TextDataset &ds, const QString &kind, const QString &fileEnd = {})
{
    for (const auto &i : ds.issues)
        if (i.kind == kind && (fileEnd.isEmpty() || i.file.endsWith(fileEnd)))
            return true;
    return false;
}

const QString kSpanish = QStringLiteral("¡Qué canción tan bonita! Me encantó el año pasado.");

} // namespace

class TstTextDataset : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesEveryEncoding();
    void rejectsUndecodable();
    void classFoldersWithEncodings();
    void splitLevelAndCrossSplitDuplicates();
    void oneClassIsBlocking();
    void emptyClassIsBlocking();
    void csvQuotesNewlinesCommas();
    void csvHeaderDetectionAndColumns();
    void tsvFile();
    void sentenceTabLabelFolder();
    void jsonReport();
    void stratifiedSplitIsSeededAndStratified();
    void kFoldCoversEverySampleOnce();
};

void TstTextDataset::decodesEveryEncoding()
{
    auto plain = decodeText(kSpanish.toUtf8());
    QVERIFY(plain.ok());
    QCOMPARE(plain->text, kSpanish);
    QCOMPARE(plain->encoding, TextEncoding::Utf8);

    auto bom = decodeText(QByteArray("\xEF\xBB\xBF") + kSpanish.toUtf8());
    QVERIFY(bom.ok());
    QCOMPARE(bom->text, kSpanish);
    QCOMPARE(bom->encoding, TextEncoding::Utf8Bom);

    const QString withEmoji = kSpanish + QString::fromUtf8(" \xF0\x9F\x98\x80");
    auto le = decodeText(utf16(withEmoji, false));
    QVERIFY(le.ok());
    QCOMPARE(le->text, withEmoji);
    QCOMPARE(le->encoding, TextEncoding::Utf16LE);

    auto be = decodeText(utf16(withEmoji, true));
    QVERIFY(be.ok());
    QCOMPARE(be->text, withEmoji);
    QCOMPARE(be->encoding, TextEncoding::Utf16BE);

    // "canción" in Latin-1, plus a Windows-1252 curly quote (0x93/0x94).
    auto latin = decodeText(QByteArray("\x93"
                                       "canci\xF3n"
                                       "\x94 espa\xF1ol"));
    QVERIFY(latin.ok());
    QVERIFY(latin->fallback);
    QCOMPARE(latin->encoding, TextEncoding::Latin1);
    QCOMPARE(latin->text, QStringLiteral("“canción” español"));
}

void TstTextDataset::rejectsUndecodable()
{
    // Odd byte count after a UTF-16 BOM.
    auto odd = decodeText(QByteArray("\xFF\xFE\x41\x00\x42", 5), QStringLiteral("a.txt"));
    QVERIFY(!odd.ok());
    QCOMPARE(odd.error().code, graft::core::ErrorCode::InvalidFormat);
    QCOMPARE(odd.error().file, QStringLiteral("a.txt"));
    // Lone high surrogate (D800) followed by 'A'.
    auto lone = decodeText(QByteArray("\xFF\xFE\x00\xD8\x41\x00", 6));
    QVERIFY(!lone.ok());
    QVERIFY(lone.error().detail.contains(QStringLiteral("surrogate")));
    // Lone low surrogate in big-endian.
    QVERIFY(!decodeText(QByteArray("\xFE\xFF\xDC\x00", 4)).ok());
    // Invalid UTF-8 after a UTF-8 BOM: not silently read as Latin-1.
    QVERIFY(!decodeText(QByteArray("\xEF\xBB\xBF"
                                   "caf\xE9"))
                 .ok());
    // NUL bytes without BOM (UTF-16 without BOM, or binary).
    QVERIFY(!decodeText(QByteArray("h\0o\0l\0a\0", 8)).ok());
}

void TstTextDataset::classFoldersWithEncodings()
{
    QTemporaryDir dir;
    const QString r = dir.path();
    QVERIFY(writeFile(r + "/pos/utf8.txt", "Muy buena, me gustó mucho."_ba));
    QVERIFY(writeFile(r + "/pos/bom.txt", QByteArray("\xEF\xBB\xBF") + "Excelente servicio."_ba));
    QVERIFY(writeFile(r + "/pos/le.txt", utf16(QStringLiteral("Genial, lo recomiendo."), false)));
    QVERIFY(writeFile(r + "/neg/be.txt", utf16(QStringLiteral("No funciona nada."), true)));
    QVERIFY(writeFile(r + "/neg/latin1.txt", QByteArray("P\xE9sima atenci\xF3n.")));
    QVERIFY(writeFile(r + "/neg/bad.txt", QByteArray("\xFF\xFE\x00\xD8\x41\x00", 6)));
    QVERIFY(writeFile(r + "/neg/empty.txt", "   \n"_ba));
    QVERIFY(writeFile(r + "/neg/ignored.jpg", "not text"_ba));

    auto ds = scanTextDataset(r);
    QVERIFY(ds.ok());
    QCOMPARE(ds->layout, TextLayout::ClassFolders);
    QCOMPARE(ds->classes, QStringList({"neg", "pos"}));
    QCOMPARE(ds->count(0), 2); // be + latin1
    QCOMPARE(ds->count(1), 3);
    QCOMPARE(ds->emptyTexts, 1);
    QVERIFY(hasIssue(ds.value(), "latin1_fallback", "latin1.txt"));
    QVERIFY(hasIssue(ds.value(), "undecodable", "bad.txt"));
    QVERIFY(hasIssue(ds.value(), "empty_text", "empty.txt"));
    QVERIFY(!ds->isBlocked());
    QCOMPARE(ds->encodings.value("utf-16le"), 1);
    QCOMPARE(ds->encodings.value("utf-16be"), 1);
    QCOMPARE(ds->encodings.value("utf-8-bom"), 1);
    QCOMPARE(ds->encodings.value("latin-1"), 1);
    bool sawLatin = false;
    for (const auto &s : ds->samples)
        if (s.file.endsWith("latin1.txt")) {
            QCOMPARE(s.text, QStringLiteral("Pésima atención."));
            sawLatin = true;
        }
    QVERIFY(sawLatin);
    QCOMPARE(ds->minTokens, 3);
    QCOMPARE(ds->maxTokens, 7); // muy buena , me gustó mucho .
}

void TstTextDataset::splitLevelAndCrossSplitDuplicates()
{
    QTemporaryDir dir;
    const QString r = dir.path();
    QVERIFY(writeFile(r + "/train/pos/a.txt", "good"_ba));
    QVERIFY(writeFile(r + "/train/pos/b.txt", "good"_ba)); // duplicate in the same split
    QVERIFY(writeFile(r + "/train/neg/c.txt", "bad"_ba));
    QVERIFY(writeFile(r + "/valid/pos/d.txt", "great"_ba));
    QVERIFY(writeFile(r + "/valid/neg/e.txt", "bad"_ba)); // duplicate across splits
    QVERIFY(writeFile(r + "/test/neg/f.txt", "good"_ba)); // same text, other label
    auto ds = scanTextDataset(r);
    QVERIFY(ds.ok());
    QCOMPARE(ds->classes, QStringList({"neg", "pos"}));
    QCOMPARE(ds->splits(), QStringList({"train", "val", "test"}));
    QCOMPARE(ds->count(1, "train"), 2);
    QCOMPARE(ds->count(0, "val"), 1);
    QCOMPARE(ds->count(0, "test"), 1);
    QCOMPARE(ds->duplicates, 1);
    QCOMPARE(ds->crossSplitDuplicates, 1);
    QCOMPARE(ds->conflictingDuplicates, 1);
    QVERIFY(hasIssue(ds.value(), "duplicate_across_splits", "e.txt"));
    QVERIFY(hasIssue(ds.value(), "conflicting_duplicate", "f.txt"));
}

void TstTextDataset::oneClassIsBlocking()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/only/a.txt", "texto"_ba));
    QVERIFY(writeFile(dir.path() + "/only/b.txt", "otro texto"_ba));
    auto ds = scanTextDataset(dir.path());
    QVERIFY(ds.ok());
    QVERIFY(ds->isBlocked());
    QVERIFY(hasIssue(ds.value(), "too_few_classes"));
}

void TstTextDataset::emptyClassIsBlocking()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/a/1.txt", "uno"_ba));
    QVERIFY(writeFile(dir.path() + "/b/2.txt", "dos"_ba));
    QVERIFY(QDir(dir.path()).mkpath("c"));
    QVERIFY(writeFile(dir.path() + "/d/blank.txt", "\n\n"_ba)); // only empty texts
    auto ds = scanTextDataset(dir.path());
    QVERIFY(ds.ok());
    QCOMPARE(ds->classes, QStringList({"a", "b", "c", "d"}));
    QVERIFY(ds->isBlocked());
    QCOMPARE(ds->blocking.size(), 2);
    QVERIFY(ds->blocking.join(' ').contains("\"c\""));
    QVERIFY(ds->blocking.join(' ').contains("\"d\""));
}

void TstTextDataset::csvQuotesNewlinesCommas()
{
    const QString csv = QStringLiteral("text,label\r\n"
                                       "\"Bueno, bonito y barato\",pos\r\n"
                                       "\"Dijo \"\"nunca más\"\"\nY tenía razón\",neg\r\n"
                                       "\r\n"
                                       "Sin comillas,pos\r\n"
                                       "\"Malo\",neg");
    const DelimitedTable t = parseDelimited(csv, QLatin1Char(','));
    QCOMPARE(int(t.records.size()), 5);
    QCOMPARE(t.records[1].fields, QStringList({"Bueno, bonito y barato", "pos"}));
    QCOMPARE(t.records[2].fields[0], QStringLiteral("Dijo \"nunca más\"\nY tenía razón"));
    QCOMPARE(t.records[2].line, 3);
    QCOMPARE(t.records[3].line, 6);
    QCOMPARE(t.records[4].fields, QStringList({"Malo", "neg"}));
    QVERIFY(!t.unterminatedQuote);
    QCOMPARE(detectDelimiter(csv), QLatin1Char(','));

    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/reviews.csv", csv.toUtf8()));
    auto ds = scanTextDataset(dir.path() + "/reviews.csv");
    QVERIFY(ds.ok());
    QCOMPARE(ds->layout, TextLayout::Delimited);
    QCOMPARE(ds->classes, QStringList({"neg", "pos"}));
    QCOMPARE(int(ds->samples.size()), 4);
    QVERIFY(!ds->isBlocked());

    const DelimitedTable open = parseDelimited("a,\"never closed\nmore", QLatin1Char(','));
    QVERIFY(open.unterminatedQuote);
    QCOMPARE(open.unterminatedLine, 1);
}

void TstTextDataset::csvHeaderDetectionAndColumns()
{
    // No header: first row is data (its label repeats below).
    const QString noHeader = QStringLiteral("1;Me encanta;positivo\n2;Lo odio;negativo\n"
                                            "3;Está bien;positivo\n4;Horrible;negativo\n");
    const DelimitedTable t = parseDelimited(noHeader, detectDelimiter(noHeader));
    QCOMPARE(t.delimiter, QLatin1Char(';'));
    QVERIFY(!looksLikeHeader(t, 2));
    // Unknown header names, found because "etiqueta-x" never repeats as a label.
    const QString header = QStringLiteral("opinion;etiqueta-x\nMe encanta;positivo\n"
                                          "Lo odio;negativo\nGenial;positivo\nMal;negativo\n");
    QVERIFY(looksLikeHeader(parseDelimited(header, QLatin1Char(';')), 1));

    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/noheader.csv", noHeader.toUtf8()));
    auto ds = scanTextDataset(dir.path() + "/noheader.csv");
    QVERIFY(ds.ok());
    QCOMPARE(int(ds->samples.size()), 4);
    QCOMPARE(ds->classes, QStringList({"negativo", "positivo"}));
    QCOMPARE(ds->samples[0].text, QStringLiteral("Me encanta"));

    // Columns chosen by name.
    QVERIFY(writeFile(dir.path() + "/named.csv",
                      "id,review,stars,sentiment\n1,Great phone,5,pos\n2,Awful,1,neg\n"
                      "3,\"Fine, I guess\",3,pos\n"_ba));
    TextScanOptions o;
    o.textColumn = "review";
    o.labelColumn = "sentiment";
    ds = scanTextDataset(dir.path() + "/named.csv", o);
    QVERIFY(ds.ok());
    QCOMPARE(int(ds->samples.size()), 3);
    QCOMPARE(ds->samples[2].text, QStringLiteral("Fine, I guess"));
    QCOMPARE(ds->classes, QStringList({"neg", "pos"}));
    // By index, and a missing column is blocking.
    o.textColumn = "1";
    o.labelColumn = "2";
    ds = scanTextDataset(dir.path() + "/named.csv", o);
    QVERIFY(ds.ok());
    QCOMPARE(ds->classes, QStringList({"1", "3", "5"}));
    o.labelColumn = "nope";
    ds = scanTextDataset(dir.path() + "/named.csv", o);
    QVERIFY(ds.ok());
    QVERIFY(ds->isBlocked());
    QVERIFY(hasIssue(ds.value(), "bad_column"));
}

void TstTextDataset::tsvFile()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/data.tsv",
                      "sentence\tlabel\n\"Quoted, with comma\"\t1\nPlain text\t0\n"
                      "short row\n\"Another\"\t0\n"_ba));
    auto ds = scanTextDataset(dir.path() + "/data.tsv");
    QVERIFY(ds.ok());
    QCOMPARE(ds->layout, TextLayout::Delimited);
    QCOMPARE(int(ds->samples.size()), 3);
    QCOMPARE(ds->samples[0].text, QStringLiteral("Quoted, with comma"));
    QCOMPARE(ds->classes, QStringList({"0", "1"}));
    QVERIFY(hasIssue(ds.value(), "bad_row"));
}

void TstTextDataset::sentenceTabLabelFolder()
{
    QTemporaryDir dir;
    const QString r = dir.path();
    // As in the UCI files: BOM on one file, spaces before the tab, quotes left unbalanced.
    QVERIFY(writeFile(r + "/imdb_labelled.txt",
                      QByteArray("\xEF\xBB\xBF") + "A \"very slow movie.  \t0\nLoved it!\t1\n"_ba));
    QVERIFY(writeFile(r + "/yelp_labelled.txt",
                      "Crust is not good.\t0\nWow... Loved this place.\t1\n"
                      "no label here\n"_ba));
    QVERIFY(writeFile(r + "/readme.txt", "This dataset was created for a paper.\nCite it.\n"_ba));
    auto ds = scanTextDataset(r);
    QVERIFY(ds.ok());
    QCOMPARE(ds->layout, TextLayout::TabLines);
    QCOMPARE(int(ds->samples.size()), 4);
    QCOMPARE(ds->samples[0].text, QStringLiteral("A \"very slow movie."));
    QCOMPARE(ds->samples[0].line, 1);
    QCOMPARE(ds->classes, QStringList({"0", "1"}));
    QVERIFY(hasIssue(ds.value(), "skipped_file", "readme.txt"));
    QVERIFY(hasIssue(ds.value(), "bad_row", "yelp_labelled.txt"));
}

void TstTextDataset::jsonReport()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/pos/a.txt", "bien bien"_ba));
    QVERIFY(writeFile(dir.path() + "/neg/b.txt", QByteArray("mal\xE9")));
    auto ds = scanTextDataset(dir.path());
    QVERIFY(ds.ok());
    const QJsonObject j = ds->toJson();
    QCOMPARE(j.value("kind").toString(), QStringLiteral("text"));
    const QJsonArray classes = j.value("classes").toArray();
    QCOMPARE(classes.size(), 2);
    QCOMPARE(classes[0].toObject().value("name").toString(), QStringLiteral("neg"));
    QCOMPARE(classes[0].toObject().value("count").toInt(), 1);
    QVERIFY(j.value("splits").isObject());
    const QJsonArray issues = j.value("issues").toArray();
    QCOMPARE(issues.size(), 1);
    QCOMPARE(issues[0].toObject().value("kind").toString(), QStringLiteral("latin1_fallback"));
    QVERIFY(issues[0].toObject().value("file").toString().endsWith("b.txt"));
    QVERIFY(!issues[0].toObject().value("message").toString().isEmpty());
    QVERIFY(j.value("blocking").isArray());
    QCOMPARE(j.value("blocked").toBool(), false);
    QCOMPARE(j.value("length_tokens").toObject().value("max").toInt(), 2);
}

void TstTextDataset::stratifiedSplitIsSeededAndStratified()
{
    std::vector<int> labels;
    for (int i = 0; i < 100; ++i)
        labels.push_back(i < 70 ? 0 : 1);
    const SplitIndices a = stratifiedSplit(labels, 0.2, 7);
    const SplitIndices b = stratifiedSplit(labels, 0.2, 7);
    const SplitIndices c = stratifiedSplit(labels, 0.2, 8);
    QCOMPARE(a.val, b.val);
    QVERIFY(a.val != c.val);
    QCOMPARE(int(a.val.size()), 20);
    QCOMPARE(int(a.train.size()), 80);
    QCOMPARE(int(std::count_if(a.val.begin(), a.val.end(), [&](int i) { return labels[i] == 1; })),
             6);
}

void TstTextDataset::kFoldCoversEverySampleOnce()
{
    std::vector<int> labels;
    for (int i = 0; i < 53; ++i)
        labels.push_back(i % 3);
    const auto folds = stratifiedKFold(labels, 5, 1);
    QCOMPARE(int(folds.size()), 5);
    std::vector<int> seen(labels.size(), 0);
    for (const auto &f : folds) {
        QCOMPARE(int(f.train.size() + f.val.size()), 53);
        for (int i : f.val)
            ++seen[size_t(i)];
        QSet<int> tr(f.train.begin(), f.train.end());
        for (int i : f.val)
            QVERIFY(!tr.contains(i));
    }
    for (int s : seen)
        QCOMPARE(s, 1);
}

QTEST_APPLESS_MAIN(TstTextDataset)
#include "tst_TextDataset.moc"
