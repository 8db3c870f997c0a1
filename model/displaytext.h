#pragma once

#include "aggregate.h"

#include <QString>

namespace perfwatch {

/// Sender-written text (routes, services, statements) as PerfWatch shows it inside its own text.
///
/// A name may hold bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) or
/// right-to-left letters. Unisolated, `/pay\u202Etxt.exe` reads "/payexe.txt" and reverses the rest
/// of the sentence it is put in. isolate() makes every explicit bidi control visible as "[U+202E]"
/// and wraps a name that still holds right-to-left text, or held a control, in FIRST STRONG
/// ISOLATE (U+2068) … POP DIRECTIONAL ISOLATE (U+2069), so nothing in it reorders the text around
/// it. Names of left-to-right letters, digits and punctuation (nearly all of them) are returned
/// unchanged, so tables, files and scripts see them as sent.
class DisplayText
{
public:
    static constexpr char16_t kFirstStrongIsolate = u'\u2068';
    static constexpr char16_t kPopDirectionalIsolate = u'\u2069';

    /// The name safe to place in any text: controls visible, isolated when it could reorder.
    static QString isolate(const QString &name);
    /// A key's name as shown: isolate()d, or "(other keys)" for the overflow key (KeyMeta::isOverflow()).
    static QString keyName(const KeyMeta &key) { return keyName(key.name); }
    static QString keyName(const QString &keyName); ///< the same from the name alone
    /// The name with every explicit bidi control (U+202A-U+202E, U+2066-U+2069) written as
    /// "[U+XXXX]"; nothing else changes.
    static QString showControls(const QString &name);
    /// True for U+202A-U+202E (embeddings, overrides, pop) and U+2066-U+2069 (isolates, pop).
    static bool isBidiControl(char16_t c);
    /// True when the name holds a bidi control or a right-to-left letter or digit: the names
    /// isolate() changes.
    static bool affectsOrder(const QString &name);
};

} // namespace perfwatch
